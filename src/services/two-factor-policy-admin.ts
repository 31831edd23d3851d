import { fail, type Result } from "../domain/errors.js";
import type { Account } from "../domain/model.js";
import type { PolicyAudience } from "../domain/policy.js";
import { policyAudiencesFor } from "../domain/two-factor-requirement.js";
import type { ServiceDeps } from "./deps.js";
import type { Authenticated } from "./sessions.js";
import { setPolicy } from "./policy.js";

export interface RequirementRow {
  audience: PolicyAudience;
  requireTwoFactorFrom: number | null;
}

/** The requirement rows this admin may set (P1), with their current dates; `forbidden` for anyone else. */
export async function twoFactorPolicyFor(deps: ServiceDeps, auth: Authenticated): Promise<Result<{ account: Account; rows: RequirementRow[] }>> {
  const account = await deps.store.accounts.findAccountById(auth.user.accountId);
  if (!account) return fail("forbidden");
  const audiences = policyAudiencesFor(auth.user.role, account.kind);
  if (audiences.length === 0) return fail("forbidden");
  const rows: RequirementRow[] = [];
  for (const audience of audiences) {
    const [layer] = await deps.store.accounts.findPolicyLayers([{ accountId: account.id, audience }]);
    rows.push({ audience, requireTwoFactorFrom: layer?.requireTwoFactorFrom ?? null });
  }
  return { ok: true, account, rows };
}

/** "YYYY-MM-DD" → midnight UTC of that day; "" → no requirement; anything else → null (invalid). */
export function parseRequirementDate(value: string): number | "none" | null {
  const trimmed = value.trim();
  if (trimmed === "") return "none";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return null;
  const time = Date.parse(`${trimmed}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== trimmed) return null;
  return time;
}

/**
 * Sets the requirement dates of the admin's own level (only the audiences
 * their role and account may set). Every field is checked before anything is
 * saved; each change is recorded as `policy.changed` with the admin as actor.
 */
export async function setTwoFactorRequirements(
  deps: ServiceDeps,
  auth: Authenticated,
  input: Partial<Record<PolicyAudience, string>>,
): Promise<Result<{ changed: PolicyAudience[] }> | { ok: false; code: "invalid_date"; fields: PolicyAudience[] }> {
  const current = await twoFactorPolicyFor(deps, auth);
  if (!current.ok) return current;
  const allowed = new Set(current.rows.map((row) => row.audience));
  if (Object.keys(input).some((key) => !allowed.has(key as PolicyAudience))) return fail("forbidden");
  const parsed = new Map<PolicyAudience, number | null>();
  const invalid: PolicyAudience[] = [];
  for (const row of current.rows) {
    const value = input[row.audience];
    if (value === undefined) continue;
    const date = parseRequirementDate(value);
    if (date === null) invalid.push(row.audience);
    else parsed.set(row.audience, date === "none" ? null : date);
  }
  if (invalid.length > 0) return { ok: false, code: "invalid_date", fields: invalid };
  const changed: PolicyAudience[] = [];
  for (const row of current.rows) {
    if (!parsed.has(row.audience) || parsed.get(row.audience) === row.requireTwoFactorFrom) continue;
    await setPolicy(deps, current.account, row.audience, { requireTwoFactorFrom: parsed.get(row.audience)! }, auth.user);
    changed.push(row.audience);
  }
  return { ok: true, changed };
}
