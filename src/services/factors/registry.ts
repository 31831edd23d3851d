import type { MethodType } from "../../domain/model.js";
import type { Factor } from "./factor.js";
import { totpFactor } from "./totp.js";

/** Every factor the flows know. Adding one is a new file and a line here (see ARCHITECTURE.md). */
const factors: Partial<Record<MethodType, Factor>> = { totp: totpFactor };

export function factorFor(type: MethodType): Factor {
  const factor = factors[type];
  if (!factor) throw new Error(`no factor is registered for method type "${type}"`);
  return factor;
}
