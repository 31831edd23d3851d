import type { Account, Role } from "./model.js";
import type { PolicyAudience } from "./policy.js";

/**
 * P1, P2: mandatory 2FA. A requirement can be set at platform level, reseller
 * level (separately for the reseller's own users and for its customers) and
 * account level, each with an enforcement date. If any layer covering a user
 * requires it, it is required, from the earliest of their dates.
 */

export const dayMilliseconds = 24 * 60 * 60 * 1000;

/** The reminder emails go out this many days before the deadline (P1). */
export const reminderDaysBefore = [14, 3, 1] as const;

export type TwoFactorRequirement =
  | { status: "not_required" }
  /** Before the date: the login completes, and shows the deadline with a "Set up now" link. */
  | { status: "required_later"; deadline: number }
  /** From the date on: a user without an active method can do nothing but enrol. */
  | { status: "required_now"; deadline: number };

/** What a user may do, given the requirement and whether they have an active method. */
export type TwoFactorAccess =
  /** Nothing to show: 2FA is on, or nobody requires it. */
  | { access: "full" }
  /** A full session, with the deadline and a "Set up now" link shown at each login. */
  | { access: "full_with_deadline"; deadline: number }
  /** No session: the login's only way forward is enrolling a first method. */
  | { access: "enrolment_only"; deadline: number };

/** The earliest date any covering layer sets; null when none does. */
export function earliestRequirement(layerDates: (number | null)[]): number | null {
  const dates = layerDates.filter((date): date is number => date !== null);
  return dates.length === 0 ? null : Math.min(...dates);
}

export function twoFactorRequirement(layerDates: (number | null)[], now: number): TwoFactorRequirement {
  const deadline = earliestRequirement(layerDates);
  if (deadline === null) return { status: "not_required" };
  return deadline <= now ? { status: "required_now", deadline } : { status: "required_later", deadline };
}

export function twoFactorAccess(requirement: TwoFactorRequirement, hasActiveMethod: boolean): TwoFactorAccess {
  if (hasActiveMethod || requirement.status === "not_required") return { access: "full" };
  if (requirement.status === "required_later") return { access: "full_with_deadline", deadline: requirement.deadline };
  return { access: "enrolment_only", deadline: requirement.deadline };
}

/**
 * The policy rows that cover a user of `account`, most general first. `parent`
 * is the account's parent (the reseller of a customer, the platform of a
 * reseller) and `grandparent` the platform of a customer.
 *   platform staff     ← platform/own_users
 *   reseller users     ← platform/reseller_users, reseller/own_users
 *   customer users     ← platform/customer_users, reseller/customer_users, customer/own_users
 * P2: a customer is covered by its reseller's rules for customers, never by the
 * reseller's rules for its own staff.
 */
export function policyLayerKeys(
  account: Pick<Account, "id" | "kind">,
  parent: Pick<Account, "id"> | null,
  grandparent: Pick<Account, "id"> | null,
): { accountId: string; audience: PolicyAudience }[] {
  if (account.kind === "platform") return [{ accountId: account.id, audience: "own_users" }];
  if (account.kind === "reseller") {
    return [...(parent ? [{ accountId: parent.id, audience: "reseller_users" as const }] : []), { accountId: account.id, audience: "own_users" as const }];
  }
  return [
    ...(grandparent ? [{ accountId: grandparent.id, audience: "customer_users" as const }] : []),
    ...(parent ? [{ accountId: parent.id, audience: "customer_users" as const }] : []),
    { accountId: account.id, audience: "own_users" as const },
  ];
}

/**
 * Which requirement rows an admin may set (P1): platform admins and support set
 * the platform level (its staff, all resellers' users, all customers); a
 * reseller's admins set it for their own users and, separately, for their
 * customers; a customer account's admins for their account. Members set none.
 */
export function policyAudiencesFor(role: Role, kind: Account["kind"]): PolicyAudience[] {
  if (role === "member") return [];
  if (kind === "platform") return ["own_users", "reseller_users", "customer_users"];
  if (role !== "admin") return [];
  return kind === "reseller" ? ["own_users", "customer_users"] : ["own_users"];
}

/** Navigation shows the policy page only to roles that may set some level. */
export function mayManageTwoFactorPolicy(role: Role): boolean {
  return role === "admin" || role === "support";
}

/**
 * Which reminder is due now (P1: 14, 3 and 1 days before), if any. The
 * reminder for `d` days is due in the day that starts `d` days before the
 * deadline; a run that misses that day sends no late reminder for it.
 */
export function dueReminder(deadline: number, now: number): (typeof reminderDaysBefore)[number] | null {
  for (const days of reminderDaysBefore) {
    if (now >= deadline - days * dayMilliseconds && now < deadline - (days - 1) * dayMilliseconds) return days;
  }
  return null;
}
