import type { AccountKind, MethodType, RecoveryCodePolicy } from "./model.js";

/**
 * One layer of policy (platform, reseller or account). A null field inherits
 * from the layer above; the most specific non-null value wins, except the 2FA
 * requirement, where any layer that requires it makes it required (P1).
 */
export interface PolicyLayer {
  /** 2FA is required from this time (ms); before it users see the deadline (P1). */
  requireTwoFactorFrom: number | null;
  allowedMethods: MethodType[] | null;
  recoveryCodePolicy: RecoveryCodePolicy | null;
  rotatePasswordOnDisable: boolean | null;
}

export interface EffectivePolicy {
  requireTwoFactorFrom: number | null;
  allowedMethods: MethodType[];
  recoveryCodePolicy: RecoveryCodePolicy;
  rotatePasswordOnDisable: boolean;
}

/** Which policy rows apply to users of an account of this kind (P1, P2, M5). */
export type PolicyAudience = "own_users" | "reseller_users" | "customer_users";

export function defaultPolicyFor(kind: AccountKind): EffectivePolicy {
  return {
    requireTwoFactorFrom: null,
    // M5: storefront customers use the authenticator app only unless a layer says otherwise.
    allowedMethods: kind === "customer" ? ["totp"] : ["totp", "sms"],
    recoveryCodePolicy: "keep",
    rotatePasswordOnDisable: false,
  };
}

/** Layers are ordered from the most general (platform) to the most specific (the user's account). */
export function resolvePolicy(kind: AccountKind, layers: PolicyLayer[]): EffectivePolicy {
  const policy = defaultPolicyFor(kind);
  for (const layer of layers) {
    if (layer.requireTwoFactorFrom !== null) {
      policy.requireTwoFactorFrom = Math.min(policy.requireTwoFactorFrom ?? Infinity, layer.requireTwoFactorFrom);
    }
    if (layer.allowedMethods !== null) policy.allowedMethods = layer.allowedMethods;
    if (layer.recoveryCodePolicy !== null) policy.recoveryCodePolicy = layer.recoveryCodePolicy;
    if (layer.rotatePasswordOnDisable !== null) policy.rotatePasswordOnDisable = layer.rotatePasswordOnDisable;
  }
  return policy;
}

export const emptyPolicyLayer: PolicyLayer = {
  requireTwoFactorFrom: null,
  allowedMethods: null,
  recoveryCodePolicy: null,
  rotatePasswordOnDisable: null,
};
