import type { AccountKind, Role } from "./model.js";

/**
 * Who may do what to whom, as data (SPEC A1–A4, API1; SECURITY 32, 33).
 *
 * `decide(actor, action, subject)` looks up one row of `accessTable`: the
 * actor's role in its account kind × the action × how the subject relates to
 * the actor. Anything the table does not list is denied. On top of the table
 * one rule holds for every action that changes another user: nobody acts on
 * someone of higher privilege (a reseller admin never on platform staff, a
 * member never on an admin). Pure: the services load the two users and their
 * accounts, ask, and carry out or refuse.
 */

/** The actor's standing: its role in an account of some kind. */
export interface Principal {
  userId: string;
  accountId: string;
  accountKind: AccountKind;
  /** The reseller of a customer account, the platform of a reseller; null for the platform. */
  accountParentId: string | null;
  role: Role;
}

/**
 * What an action is done to: a user (with its account), or an account alone
 * (listing its users, creating one, its event log) when `userId` is null.
 */
export interface AccessSubject {
  userId: string | null;
  accountId: string;
  accountKind: AccountKind;
  accountParentId: string | null;
  /** The subject user's role; null when the subject is an account. */
  role: Role | null;
}

/**
 * How the subject relates to the actor:
 * - `self`: the actor's own user;
 * - `same_account`: another user of the actor's account, or the account itself;
 * - `my_customer`: a customer account of the actor's reseller, or one of its users;
 * - `elsewhere`: anything else (another reseller, its customers, the platform).
 */
export type Relation = "self" | "same_account" | "my_customer" | "elsewhere";

export const relations: readonly Relation[] = ["self", "same_account", "my_customer", "elsewhere"];

export const actions = [
  /** Change one's own security settings (2FA, methods, recovery codes, password). */
  "own_settings.change",
  /** The account's user list with 2FA status and coverage (A1). */
  "users.view",
  /** Create a user in the account; they get an invitation email (A1). */
  "users.create",
  /** Deactivate or reactivate a user (A1). */
  "user.deactivate",
  /** File a support-reviewed 2FA reset request for a user who lost their device (A2). */
  "reset_request.file",
  /** Approve or reject a reset request (A2): platform support only. */
  "reset_request.review",
  /** See a reseller's customers and their users' 2FA status (A3). */
  "customers.view",
  /** Disable a customer user's 2FA from the storefront manager (A3). */
  "customer_two_factor.disable",
  /** Read an event log (A4): one's own, the account's, its customers', or all. */
  "events.view",
  /** Create an API key for oneself (API1). */
  "api_key.create",
  /** Revoke an API key (API1): one's own, or a user's of the account as its admin. */
  "api_key.revoke",
  /** Set the 2FA policy of an account (P1, M5). */
  "policy.manage",
  /** "Where you're signed in" (issue 17): a user's live sessions, with browser, place and times. */
  "sessions.view",
  /** Sign out one or every session of a user (issue 17): one's own, or as the account's admin. */
  "sessions.end",
] as const;

export type Action = (typeof actions)[number];

/** The actor key of a row: the role within an account kind. */
export type ActorKey = `${AccountKind}:${Role}`;

export const actorKeys: readonly ActorKey[] = [
  "platform:support",
  "platform:admin",
  "platform:member",
  "reseller:admin",
  "reseller:member",
  "customer:admin",
  "customer:member",
];

/** Actions that change another user (or an account's users): the higher-privilege rule applies. */
const changesSomeone: ReadonlySet<Action> = new Set<Action>([
  "users.create",
  "user.deactivate",
  "reset_request.file",
  "reset_request.review",
  "customer_two_factor.disable",
  "api_key.revoke",
  "sessions.end",
]);

type Row = readonly [ActorKey, Action, readonly Relation[]];

const everyone: readonly ActorKey[] = actorKeys;
const admins: readonly ActorKey[] = ["reseller:admin", "customer:admin", "platform:admin"];

/**
 * The table. Each row: this actor may do this action to subjects in these
 * relations. Read it as the product's permission page; the test prints the
 * full matrix and checks every cell.
 */
export const accessTable: readonly Row[] = [
  ...everyone.map((actor): Row => [actor, "own_settings.change", ["self"]]),
  ...everyone.map((actor): Row => [actor, "events.view", ["self"]]),
  ...everyone.map((actor): Row => [actor, "api_key.create", ["self"]]),
  ...everyone.map((actor): Row => [actor, "api_key.revoke", ["self"]]),
  ...everyone.map((actor): Row => [actor, "sessions.view", ["self"]]),
  ...everyone.map((actor): Row => [actor, "sessions.end", ["self"]]),

  // Account admins manage their own account's users (A1), its keys, its log.
  ...admins.map((actor): Row => [actor, "users.view", ["same_account"]]),
  ...admins.map((actor): Row => [actor, "users.create", ["same_account"]]),
  ...admins.map((actor): Row => [actor, "user.deactivate", ["same_account"]]),
  ...admins.map((actor): Row => [actor, "api_key.revoke", ["same_account"]]),
  ...admins.map((actor): Row => [actor, "policy.manage", ["same_account"]]),
  // Issue 17: an admin sees and ends the sessions of the users they manage (A1's reach).
  ...admins.map((actor): Row => [actor, "sessions.view", ["same_account"]]),
  ...admins.map((actor): Row => [actor, "sessions.end", ["same_account"]]),
  ["reseller:admin", "events.view", ["same_account", "my_customer"]],
  ["customer:admin", "events.view", ["same_account"]],
  ["platform:admin", "events.view", ["same_account"]],
  // A2 is for reseller users: their admin files, platform support decides.
  ["reseller:admin", "reset_request.file", ["same_account"]],
  ["platform:admin", "reset_request.file", ["same_account"]],

  // A3: every user of a reseller works its storefront manager.
  ["reseller:admin", "customers.view", ["my_customer"]],
  ["reseller:member", "customers.view", ["my_customer"]],
  ["reseller:admin", "customer_two_factor.disable", ["my_customer"]],
  ["reseller:member", "customer_two_factor.disable", ["my_customer"]],

  // Platform support sees everything and reviews reset requests about anyone but itself.
  ["platform:support", "users.view", ["same_account", "elsewhere", "my_customer"]],
  ["platform:support", "customers.view", ["elsewhere", "my_customer"]],
  ["platform:support", "events.view", ["same_account", "my_customer", "elsewhere"]],
  ["platform:support", "reset_request.review", ["same_account", "my_customer", "elsewhere"]],
  ["platform:support", "user.deactivate", ["elsewhere", "my_customer"]],
  ["platform:support", "sessions.view", ["same_account", "elsewhere", "my_customer"]],
  ["platform:support", "sessions.end", ["elsewhere", "my_customer"]],
  ["platform:support", "policy.manage", ["same_account"]],
];

const allowed = new Map<string, ReadonlySet<Relation>>();
for (const [actor, action, rels] of accessTable) {
  const key = `${actor}|${action}`;
  allowed.set(key, new Set([...(allowed.get(key) ?? []), ...rels]));
}

export function actorKey(principal: { accountKind: AccountKind; role: Role }): ActorKey {
  return `${principal.accountKind}:${principal.role}`;
}

export function relationOf(actor: Principal, subject: AccessSubject): Relation {
  if (subject.userId !== null && subject.userId === actor.userId) return "self";
  if (subject.accountId === actor.accountId) return "same_account";
  if (actor.accountKind === "reseller" && subject.accountKind === "customer" && subject.accountParentId === actor.accountId) return "my_customer";
  return "elsewhere";
}

/**
 * Privilege, for the "never upward" rule: platform staff above reseller users
 * above storefront customers; within an account, an admin (or support) above a member.
 */
export function privilegeOf(subject: { accountKind: AccountKind; role: Role }): number {
  const tier = { platform: 30, reseller: 20, customer: 10 }[subject.accountKind];
  return tier + (subject.role === "member" ? 0 : 1);
}

export type AccessDecision = { allow: true; relation: Relation } | { allow: false; relation: Relation; reason: "not_in_table" | "higher_privilege" };

export function decide(actor: Principal, action: Action, subject: AccessSubject): AccessDecision {
  const relation = relationOf(actor, subject);
  if (!allowed.get(`${actorKey(actor)}|${action}`)?.has(relation)) return { allow: false, relation, reason: "not_in_table" };
  if (changesSomeone.has(action) && relation !== "self" && subject.role !== null && privilegeOf({ accountKind: subject.accountKind, role: subject.role }) > privilegeOf(actor)) {
    return { allow: false, relation, reason: "higher_privilege" };
  }
  return { allow: true, relation };
}

/** Whether any subject at all could be in reach of this action: for navigation, never for a decision. */
export function mayEverDo(actor: { accountKind: AccountKind; role: Role }, action: Action, relation?: Relation): boolean {
  const granted = allowed.get(`${actorKey(actor)}|${action}`);
  if (!granted) return false;
  return relation ? granted.has(relation) : granted.size > 0;
}
