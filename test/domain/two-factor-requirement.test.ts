/** P1, P2: who is covered by a 2FA requirement, from when, and what they may do before and after — as tables. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyAudience } from "../../src/domain/policy.js";
import {
  dayMilliseconds,
  dueReminder,
  policyAudiencesFor,
  policyLayerKeys,
  twoFactorAccess,
  twoFactorRequirement,
} from "../../src/domain/two-factor-requirement.js";

const now = Date.UTC(2026, 10, 22, 12);
const day = dayMilliseconds;
const platform = { id: "P", kind: "platform" as const };
const reseller = { id: "R", kind: "reseller" as const };
const customer = { id: "C", kind: "customer" as const };

/** The requirement rows set, by "account/audience". */
type Rows = Partial<Record<`${string}/${PolicyAudience}`, number>>;
function coverage(account: typeof platform | typeof reseller | typeof customer, rows: Rows, hasMethod: boolean) {
  const keys = account.kind === "platform" ? policyLayerKeys(account, null, null) : account.kind === "reseller" ? policyLayerKeys(account, platform, null) : policyLayerKeys(account, reseller, platform);
  const dates = keys.map((key) => rows[`${key.accountId}/${key.audience}`] ?? null);
  const requirement = twoFactorRequirement(dates, now);
  return { status: requirement.status, deadline: "deadline" in requirement ? requirement.deadline : null, ...twoFactorAccess(requirement, hasMethod) };
}

const cases: { name: string; who: typeof platform | typeof reseller | typeof customer; rows: Rows; hasMethod?: boolean; status: string; access: string; deadline?: number }[] = [
  { name: "nothing set: nobody is covered", who: customer, rows: {}, status: "not_required", access: "full" },
  { name: "platform staff ← platform/own_users", who: platform, rows: { "P/own_users": now + day }, status: "required_later", access: "full_with_deadline", deadline: now + day },
  { name: "platform's rule for resellers does not cover its staff", who: platform, rows: { "P/reseller_users": now - day }, status: "not_required", access: "full" },
  { name: "reseller users ← platform/reseller_users", who: reseller, rows: { "P/reseller_users": now - day }, status: "required_now", access: "enrolment_only", deadline: now - day },
  { name: "reseller users ← reseller/own_users", who: reseller, rows: { "R/own_users": now + 3 * day }, status: "required_later", access: "full_with_deadline" },
  { name: "a reseller's rule for customers does not cover its own users", who: reseller, rows: { "R/customer_users": now - day }, status: "not_required", access: "full" },
  { name: "P2: customers are optional unless a rule for customers says so", who: customer, rows: { "R/own_users": now - day, "P/reseller_users": now - day }, status: "not_required", access: "full" },
  { name: "customers ← reseller/customer_users", who: customer, rows: { "R/customer_users": now - day }, status: "required_now", access: "enrolment_only" },
  { name: "customers ← platform/customer_users", who: customer, rows: { "P/customer_users": now + 14 * day }, status: "required_later", access: "full_with_deadline" },
  { name: "customers ← their own account", who: customer, rows: { "C/own_users": now - 1 }, status: "required_now", access: "enrolment_only" },
  { name: "the earliest date wins (account later, reseller earlier)", who: customer, rows: { "C/own_users": now + 30 * day, "R/customer_users": now + 2 * day }, status: "required_later", access: "full_with_deadline", deadline: now + 2 * day },
  { name: "the earliest date wins (one past, one future → now)", who: customer, rows: { "P/customer_users": now + 30 * day, "C/own_users": now - day }, status: "required_now", access: "enrolment_only", deadline: now - day },
  { name: "the date itself is already 'after'", who: reseller, rows: { "R/own_users": now }, status: "required_now", access: "enrolment_only", deadline: now },
  { name: "with an active method nothing is asked, before or after", who: customer, rows: { "R/customer_users": now - day }, hasMethod: true, status: "required_now", access: "full" },
  { name: "with an active method no deadline is shown", who: reseller, rows: { "R/own_users": now + day }, hasMethod: true, status: "required_later", access: "full" },
];

describe("two-factor requirement coverage", () => {
  for (const row of cases) {
    it(row.name, () => {
      const result = coverage(row.who, row.rows, row.hasMethod ?? false);
      assert.equal(result.status, row.status);
      assert.equal(result.access, row.access);
      if (row.deadline !== undefined) assert.equal(result.deadline, row.deadline);
    });
  }

  it("who may set which level", () => {
    const table: [Parameters<typeof policyAudiencesFor>[0], Parameters<typeof policyAudiencesFor>[1], PolicyAudience[]][] = [
      ["admin", "platform", ["own_users", "reseller_users", "customer_users"]],
      ["support", "platform", ["own_users", "reseller_users", "customer_users"]],
      ["member", "platform", []],
      ["admin", "reseller", ["own_users", "customer_users"]],
      ["member", "reseller", []],
      ["support", "reseller", []],
      ["admin", "customer", ["own_users"]],
      ["member", "customer", []],
    ];
    for (const [role, kind, audiences] of table) assert.deepEqual(policyAudiencesFor(role, kind), audiences, `${role} of a ${kind}`);
  });

  it("reminders are due 14, 3 and 1 days before, each within its own day, and never after the date", () => {
    const deadline = Date.UTC(2026, 11, 10);
    const table: [number, number | null][] = [
      [deadline - 15 * day, null],
      [deadline - 14 * day, 14],
      [deadline - 13 * day - 1, 14],
      [deadline - 13 * day, null],
      [deadline - 3 * day, 3],
      [deadline - 2 * day - 1, 3],
      [deadline - 2 * day, null],
      [deadline - day, 1],
      [deadline - 1, 1],
      [deadline, null],
      [deadline + day, null],
    ];
    for (const [at, due] of table) assert.equal(dueReminder(deadline, at), due, `${(deadline - at) / day} days before`);
  });
});
