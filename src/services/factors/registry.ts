import { methodTypes, type MethodType } from "../../domain/model.js";
import type { Factor } from "./factor.js";
import { smsFactor } from "./sms/factor.js";
import { totpFactor } from "./totp/factor.js";
import { webauthnFactor } from "./webauthn/factor.js";

/**
 * Every factor the flows know. Adding one is a folder beside totp/, sms/ and webauthn/,
 * its type in `methodTypes` and a line here (see ARCHITECTURE.md): the
 * Record's type makes a missing line a compile error.
 */
const factors: Record<MethodType, Factor> = { totp: totpFactor as Factor, sms: smsFactor as Factor, webauthn: webauthnFactor as Factor };

export function factorFor(type: MethodType): Factor {
  return factors[type];
}

/** In the order of `methodTypes`, the order the pages offer them in. */
export function registeredFactors(): Factor[] {
  return methodTypes.map(factorFor);
}
