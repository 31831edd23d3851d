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
  /** L7: how many days a browser may skip the second step after "Don't ask again"; 0 never offers it. */
  rememberBrowserDays: number | null;
  /** Issue 17: whether a login from a browser new to the user emails them; null inherits. */
  newSignInEmail: boolean | null;
}

export interface EffectivePolicy {
  requireTwoFactorFrom: number | null;
  allowedMethods: MethodType[];
  recoveryCodePolicy: RecoveryCodePolicy;
  rotatePasswordOnDisable: boolean;
  rememberBrowserDays: number;
  newSignInEmail: boolean;
}

/** Which policy rows apply to users of an account of this kind (P1, P2, M5). */
export type PolicyAudience = "own_users" | "reseller_users" | "customer_users";

export function defaultPolicyFor(kind: AccountKind): EffectivePolicy {
  return {
    requireTwoFactorFrom: null,
    // M5: storefront customers use the authenticator app only unless a layer says otherwise.
    allowedMethods: kind === "customer" ? ["totp", "webauthn"] : ["totp", "sms", "webauthn"],
    recoveryCodePolicy: "keep",
    rotatePasswordOnDisable: false,
    // L7: storefront customers may be remembered for 30 days; reseller and platform users never by default.
    rememberBrowserDays: kind === "customer" ? 30 : 0,
    // Issue 17: on by default, for everyone.
    newSignInEmail: true,
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
    if (layer.rememberBrowserDays !== null) policy.rememberBrowserDays = layer.rememberBrowserDays;
    if (layer.newSignInEmail !== null) policy.newSignInEmail = layer.newSignInEmail;
  }
  return policy;
}

/**
 * SECURITY 27: SMS is the weaker factor (NIST "restricted"), so a policy may
 * allow it but never make it the only method users can have. A layer's list,
 * when set, must name at least one method other than SMS. Each layer is checked
 * as it is saved; since the most specific non-null list wins, the resolved
 * policy then always offers a stronger method. Returns why a layer is refused.
 */
export function policyLayerProblem(layer: Pick<PolicyLayer, "allowedMethods">): string | null {
  const methods = layer.allowedMethods;
  if (methods === null) return null;
  if (methods.length === 0) return "A policy must allow at least one method.";
  if (methods.every((method) => method === "sms")) return "SMS cannot be the only allowed method: it is the weaker factor. Allow totp as well (for example totp,sms).";
  return null;
}

export class PolicyError extends Error {}

export const emptyPolicyLayer: PolicyLayer = {
  requireTwoFactorFrom: null,
  allowedMethods: null,
  recoveryCodePolicy: null,
  rotatePasswordOnDisable: null,
  rememberBrowserDays: null,
  newSignInEmail: null,
};

/** L7: the longest a level may let a browser be remembered. */
export const maxRememberBrowserDays = 365;
