import { methodTypes, type Account, type AccountKind, type MethodType, type RecoveryCodePolicy } from "./model.js";
import { policyLayerKeys } from "./two-factor-requirement.js";
import { maxRememberBrowserDays, policyLayerProblem, type PolicyAudience, type PolicyLayer } from "./policy.js";

/** Which kind of account the users a level covers belong to (P2: a reseller's customers are customers). */
export function coveredKind(accountKind: AccountKind, audience: PolicyAudience): AccountKind {
  if (audience === "own_users") return accountKind;
  return audience === "reseller_users" ? "reseller" : "customer";
}

/**
 * The levels above one level, most general first: what it inherits from
 * (platform → reseller → account). The platform's levels have nothing above;
 * a reseller's level for its customers inherits the platform's level for all
 * customers; an account's own level inherits what covers its users.
 */
export function policyLevelsAbove(
  account: Pick<Account, "id" | "kind">,
  parent: Pick<Account, "id"> | null,
  grandparent: Pick<Account, "id"> | null,
  audience: PolicyAudience,
): { accountId: string; audience: PolicyAudience }[] {
  if (audience === "own_users") return policyLayerKeys(account, parent, grandparent).slice(0, -1);
  if (account.kind === "platform" || audience === "reseller_users") return [];
  return parent ? [{ accountId: parent.id, audience: "customer_users" }] : [];
}

/** One field of a level as an admin sends it; null (or "inherit") means "inherit from above". */
export interface PolicyLevelInput {
  requireTwoFactorFrom?: string | null;
  allowedMethods?: string[] | null;
  recoveryCodePolicy?: string | null;
  rotatePasswordOnDisable?: boolean | null;
  rememberBrowserDays?: number | null;
  newSignInEmail?: boolean | null;
}

export type PolicyField = keyof PolicyLayer;
export const policyFields: PolicyField[] = ["requireTwoFactorFrom", "allowedMethods", "recoveryCodePolicy", "rotatePasswordOnDisable", "rememberBrowserDays", "newSignInEmail"];

/** "YYYY-MM-DD" → midnight UTC of that day; "" → no requirement (inherit); anything else → null (invalid). */
export function parseRequirementDate(value: string): number | "none" | null {
  const trimmed = value.trim();
  if (trimmed === "") return "none";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return null;
  const time = Date.parse(`${trimmed}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== trimmed) return null;
  return time;
}

const recoveryPolicies: RecoveryCodePolicy[] = ["keep", "disable"];

export type LevelProblem = { field: PolicyField; code: "invalid_date" | "invalid_policy_methods" | "sms_only_not_allowed" | "invalid_request" };

/**
 * Applies an admin's input to a level's current values: fields not sent keep
 * their value, null inherits. Returns the new layer, or the first field that is
 * wrong (SECURITY 27: SMS is never the only allowed method).
 */
export function applyLevelInput(current: PolicyLayer, input: PolicyLevelInput): { ok: true; layer: PolicyLayer } | ({ ok: false } & LevelProblem) {
  const layer: PolicyLayer = { ...current };
  if (input.requireTwoFactorFrom !== undefined) {
    const date = input.requireTwoFactorFrom === null ? "none" : parseRequirementDate(input.requireTwoFactorFrom);
    if (date === null) return { ok: false, field: "requireTwoFactorFrom", code: "invalid_date" };
    layer.requireTwoFactorFrom = date === "none" ? null : date;
  }
  if (input.allowedMethods !== undefined) {
    const methods = input.allowedMethods;
    if (methods !== null && (methods.length === 0 || methods.some((method) => !methodTypes.includes(method as MethodType)))) {
      return { ok: false, field: "allowedMethods", code: "invalid_policy_methods" };
    }
    // Stored in one order, without repeats, so "sms,totp" and "totp,sms" are the same policy.
    layer.allowedMethods = methods === null ? null : methodTypes.filter((method) => methods.includes(method));
    if (policyLayerProblem(layer)) return { ok: false, field: "allowedMethods", code: "sms_only_not_allowed" };
  }
  if (input.recoveryCodePolicy !== undefined) {
    const value = input.recoveryCodePolicy;
    if (value !== null && !recoveryPolicies.includes(value as RecoveryCodePolicy)) return { ok: false, field: "recoveryCodePolicy", code: "invalid_request" };
    layer.recoveryCodePolicy = value as RecoveryCodePolicy | null;
  }
  if (input.rotatePasswordOnDisable !== undefined) layer.rotatePasswordOnDisable = input.rotatePasswordOnDisable;
  if (input.newSignInEmail !== undefined) layer.newSignInEmail = input.newSignInEmail;
  if (input.rememberBrowserDays !== undefined) {
    const days = input.rememberBrowserDays;
    if (days !== null && (!Number.isInteger(days) || days < 0 || days > maxRememberBrowserDays)) return { ok: false, field: "rememberBrowserDays", code: "invalid_request" };
    layer.rememberBrowserDays = days;
  }
  return { ok: true, layer };
}

/** The fields whose value differs between two layers (what a `policy.changed` event names). */
export function changedFields(before: PolicyLayer, after: PolicyLayer): PolicyField[] {
  return policyFields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
