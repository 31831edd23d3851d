import type { EventsDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import type { Account, EventType } from "../../domain/model.js";
import type { EventScope, EventSearch, LoggedEvent } from "../../store/ports/events.js";
import { authorize, findSubjectUser, type Actor } from "../access/access.js";
import { eventLabels } from "./audit.js";
import type { RequestContext } from "../deps.js";
import { utcDayStart } from "../../domain/csv.js";

/** What a log page, the API or an export asks for; every field as the user typed it. */
export interface EventLogQuery {
  scope: "own" | "account" | "all";
  accountId?: string;
  /** A user's email or id, within the scope. */
  userId?: string;
  type?: string;
  /** YYYY-MM-DD, UTC, inclusive. */
  from?: string;
  /** YYYY-MM-DD, UTC, inclusive. */
  to?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface EventLogPage {
  events: LoggedEvent[];
  nextCursor: string | null;
  /** The account whose log this is (account scope), for the heading. */
  account: Account | null;
}

export const defaultPageSize = 50;
export const maxPageSize = 200;

/** "All accounts" as a subject: elsewhere for every actor, so only platform support's row allows it. */
const everyAccount: Account = { id: "*", kind: "reseller", name: "All accounts", parentId: null, createdAt: 0 };

const invalid = (field: string) => fail("invalid_event_filter", { field });

/**
 * Turns a query into one store search, or a refusal. The access table
 * decides (events.view): own → self; account → the account (a reseller
 * admin also its customers'); all → support only. A user filter names a user
 * the actor must be allowed to see too; an unknown user gets the same 403 as
 * someone else's, so the filter cannot tell which emails exist elsewhere.
 */
export async function resolveEventSearch(
  deps: EventsDeps,
  actor: Actor,
  query: EventLogQuery,
  context: RequestContext,
): Promise<Result<{ search: Omit<EventSearch, "limit" | "before">; account: Account | null }>> {
  const type = query.type?.trim() || undefined;
  if (type !== undefined && !(type in eventLabels)) return invalid("type");
  const from = query.from?.trim() ? utcDayStart(query.from.trim()) : undefined;
  if (from === null) return invalid("from");
  const toDay = query.to?.trim() ? utcDayStart(query.to.trim()) : undefined;
  if (toDay === null) return invalid("to");
  const to = toDay === undefined ? undefined : toDay + 86_400_000;
  if (from !== undefined && to !== undefined && to <= from) return invalid("to");

  let scope: EventScope;
  let account: Account | null = null;
  if (query.scope === "own") {
    const denied = await authorize(deps, actor, "events.view", { user: actor.user, account: actor.account }, context);
    if (!denied.ok) return denied;
    scope = { kind: "user", userId: actor.user.id };
  } else if (query.scope === "account") {
    const accountId = query.accountId?.trim() || actor.account.id;
    account = accountId === actor.account.id ? actor.account : ((await deps.store.accounts.findAccountById(accountId)) ?? null);
    if (!account) return fail("forbidden");
    const denied = await authorize(deps, actor, "events.view", { account }, context);
    if (!denied.ok) return denied;
    scope = account.kind === "reseller" ? { kind: "account_and_customers", accountId: account.id } : { kind: "account", accountId: account.id };
  } else {
    const denied = await authorize(deps, actor, "events.view", { account: everyAccount }, context);
    if (!denied.ok) return denied;
    scope = { kind: "all" };
    // Support narrowing "all" to one account: that account (a reseller with its customers).
    const accountId = query.accountId?.trim();
    if (accountId) {
      account = (await deps.store.accounts.findAccountById(accountId)) ?? null;
      if (!account) return invalid("account");
      scope = account.kind === "reseller" ? { kind: "account_and_customers", accountId } : { kind: "account", accountId };
    }
  }

  let userId: string | undefined;
  const named = query.scope === "own" ? "" : (query.userId?.trim() ?? "");
  if (named) {
    const found = named.includes("@") ? await deps.store.accounts.findUserByEmail(named.toLowerCase()) : await deps.store.accounts.findUserById(named);
    const subject = found ? await findSubjectUser(deps, found.id) : undefined;
    if (!subject) return fail("forbidden");
    const denied = await authorize(deps, actor, "events.view", subject, context);
    if (!denied.ok) return denied;
    userId = subject.user.id;
  }
  const search: Omit<EventSearch, "limit" | "before"> = {
    scope,
    ...(userId ? { userId } : {}),
    ...(type ? { types: [type as EventType] } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
  return { ok: true, search, account };
}

/** One page of a log, newest first, with the cursor of the next page (null on the last). */
export async function viewEventLog(deps: EventsDeps, actor: Actor, query: EventLogQuery, context: RequestContext): Promise<Result<EventLogPage>> {
  const limit = query.limit ?? defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) return invalid("limit");
  const cursor = query.cursor?.trim();
  if (cursor && !/^\d{1,15}$/.test(cursor)) return invalid("cursor");
  const resolved = await resolveEventSearch(deps, actor, query, context);
  if (!resolved.ok) return resolved;
  // One row more than asked says whether a next page exists, without a count.
  const rows = await deps.store.events.searchEvents({ ...resolved.search, limit: limit + 1, ...(cursor ? { before: Number(cursor) } : {}) });
  const events = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? String(events.at(-1)!.seq) : null;
  return { ok: true, events, nextCursor, account: resolved.account };
}
