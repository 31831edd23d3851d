import type { Kysely } from "kysely";
import type { SecurityEvent } from "../../domain/model.js";
import type { EventSearch, LoggedEvent } from "../ports/events.js";
import type { Database } from "../schema.js";
import { toEvent } from "../rows.js";
import { prepare } from "./prepared.js";

/** The append-only event log. */

const insertEvent = prepare((db, slot) =>
  db.insertInto("events").values({
    id: slot(0),
    account_id: slot(1),
    actor_user_id: slot(2),
    subject_user_id: slot(3),
    type: slot(4),
    detail: slot(5),
    client_address: slot(6),
    user_agent: slot(7),
    created_at: slot(8),
  }),
);

export async function appendEvent(db: Kysely<Database>, event: SecurityEvent): Promise<void> {
  const { id, accountId, actorUserId, subjectUserId, type, detail, clientAddress, userAgent, createdAt } = event;
  await insertEvent(db, id, accountId, actorUserId, subjectUserId, type, JSON.stringify(detail), clientAddress, userAgent, createdAt);
}

export async function listEvents(db: Kysely<Database>, filter: { subjectUserId?: string; accountId?: string; limit: number }): Promise<SecurityEvent[]> {
  let query = db.selectFrom("events").selectAll();
  if (filter.subjectUserId) query = query.where("subject_user_id", "=", filter.subjectUserId);
  if (filter.accountId) query = query.where("account_id", "=", filter.accountId);
  const rows = await query.orderBy("seq", "desc").limit(filter.limit).execute();
  return rows.map(toEvent);
}

/**
 * One query per page, whatever the scope: the reseller's customers come in
 * through a join on accounts.parent_id (never a list of ids loaded first), and
 * the page is a keyset (`seq < before`), so page 1000 costs what page 1 does.
 */
export async function searchEvents(db: Kysely<Database>, search: EventSearch): Promise<LoggedEvent[]> {
  let query = db
    .selectFrom("events as e")
    .innerJoin("accounts as a", "a.id", "e.account_id")
    .leftJoin("users as actor", "actor.id", "e.actor_user_id")
    .leftJoin("users as subject", "subject.id", "e.subject_user_id")
    .selectAll("e")
    .select(["actor.email as actor_email", "subject.email as subject_email", "a.name as account_name"]);
  const { scope } = search;
  if (scope.kind === "user") query = query.where((eb) => eb.or([eb("e.subject_user_id", "=", scope.userId), eb("e.actor_user_id", "=", scope.userId)]));
  if (scope.kind === "account") query = query.where("e.account_id", "=", scope.accountId);
  if (scope.kind === "account_and_customers") query = query.where((eb) => eb.or([eb("e.account_id", "=", scope.accountId), eb("a.parent_id", "=", scope.accountId)]));
  const userId = search.userId;
  if (userId) query = query.where((eb) => eb.or([eb("e.subject_user_id", "=", userId), eb("e.actor_user_id", "=", userId)]));
  if (search.types && search.types.length > 0) query = query.where("e.type", "in", search.types);
  if (search.from !== undefined) query = query.where("e.created_at", ">=", search.from);
  if (search.to !== undefined) query = query.where("e.created_at", "<", search.to);
  if (search.before !== undefined) query = query.where("e.seq", "<", search.before);
  const rows = await query.orderBy("e.seq", "desc").limit(search.limit).execute();
  return rows.map((row) => ({
    ...toEvent(row),
    seq: Number(row.seq),
    actorEmail: row.actor_email ?? null,
    subjectEmail: row.subject_email ?? null,
    accountName: row.account_name ?? null,
  }));
}
