import type { AdminDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import type { Account, MethodType, Role, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { authorize, findSubjectUser, type Actor, type SubjectUser } from "../access/access.js";

/**
 * A1 "Manage users": the account's users with their 2FA status, methods and
 * last login, and the coverage line ("7 of 9 users have 2FA"). Exported for
 * every surface: the panel pages, the session JSON API and the platform API
 * (an api-key Actor) ask the same access table through `authorize`.
 */
export interface AccountUserView {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  active: boolean;
  twoFactorEnabled: boolean;
  methods: MethodType[];
  lastLoginAt: number | null;
}

export interface AccountUsersPage {
  account: Account;
  users: AccountUserView[];
  coverage: { total: number; withTwoFactor: number };
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface AccountUsersQuery {
  /** Platform support may look at another account; everyone else's default is their own. */
  accountId?: string;
  search?: string;
  withoutTwoFactor?: boolean;
  cursor?: string;
  limit?: number;
}

export const defaultPageSize = 50;
export const maximumPageSize = 200;

/** The cursor is the last email of the page, encoded so that a link carries no readable address. */
export function encodeCursor(email: string): string {
  return Buffer.from(email, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  const email = Buffer.from(cursor, "base64url").toString("utf8");
  return email.includes("@") ? email : null;
}

export function toUserView(user: User, methodTypes: MethodType[], lastLoginAt: number | null): AccountUserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    active: user.active,
    twoFactorEnabled: methodTypes.length > 0,
    methods: methodTypes,
    lastLoginAt,
  };
}

export async function listAccountUsers(deps: AdminDeps, actor: Actor, query: AccountUsersQuery, context: RequestContext): Promise<Result<AccountUsersPage>> {
  const account = query.accountId && query.accountId !== actor.account.id ? await deps.store.accounts.findAccountById(query.accountId) : actor.account;
  // An unknown account is refused exactly like someone else's: the answer does not tell which ids exist.
  const denied = await authorize(deps, actor, "users.view", { account: account ?? { ...actor.account, id: query.accountId!, parentId: null, kind: "reseller" } }, context);
  if (!denied.ok) return denied;
  if (!account) return fail("forbidden");
  const afterEmail = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.cursor && !afterEmail) return fail("invalid_cursor", { field: "cursor" });
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? defaultPageSize), 1), maximumPageSize);
  const search = query.search?.trim().toLowerCase().slice(0, 254) || null;
  // One extra row tells whether there is a next page without a second count.
  const [entries, coverage] = await Promise.all([
    deps.store.accounts.listAccountUsers({ accountId: account.id, search, withoutTwoFactor: query.withoutTwoFactor === true, afterEmail, limit: limit + 1 }),
    deps.store.accounts.countAccountUsers(account.id),
  ]);
  const page = entries.slice(0, limit);
  return {
    ok: true,
    account,
    users: page.map((entry) => toUserView(entry.user, entry.methodTypes, entry.lastLoginAt)),
    coverage,
    nextCursor: entries.length > limit ? encodeCursor(page[page.length - 1]!.user.email) : null,
  };
}

/** One user's record, for whoever may see the account's list. Unknown and out-of-reach users look the same (403). */
export async function getAccountUser(
  deps: AdminDeps,
  actor: Actor,
  userId: string,
  context: RequestContext,
): Promise<Result<{ subject: SubjectUser; view: AccountUserView }>> {
  const subject = await findSubjectUser(deps, userId);
  if (!subject) {
    await authorize(deps, actor, "users.view", { account: { ...actor.account, id: "unknown", kind: "reseller", parentId: null } }, context);
    return fail("forbidden");
  }
  const denied = await authorize(deps, actor, "users.view", { account: subject.account }, context);
  if (!denied.ok) return denied;
  // The same read as the list (methods, last login), narrowed to this email; a display name may match too, so pick by id.
  const entries = await deps.store.accounts.listAccountUsers({ accountId: subject.account.id, afterEmail: null, search: subject.user.email, limit: 20 });
  const entry = entries.find((candidate) => candidate.user.id === subject.user.id);
  const view = entry ? toUserView(entry.user, entry.methodTypes, entry.lastLoginAt) : toUserView(subject.user, [], null);
  return { ok: true, subject, view };
}
