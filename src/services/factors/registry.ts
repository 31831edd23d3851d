import type { MethodType } from "../../domain/model.js";
import type { Factor } from "./factor.js";
import { smsFactor } from "./sms.js";
import { totpFactor } from "./totp.js";

/** Every factor the flows know. Adding one is a new file and a line here (see ARCHITECTURE.md). */
const factors: Record<MethodType, Factor> = { totp: totpFactor, sms: smsFactor };

export function factorFor(type: MethodType): Factor {
  return factors[type];
}
