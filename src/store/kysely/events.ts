import type { Kysely } from "kysely";
import type { OutboxMessage, SecurityEvent } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { toEvent } from "../rows.js";
import { prepare } from "./prepared.js";

/** The append-only event log and the development outbox. */

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

export async function insertOutboxMessage(db: Kysely<Database>, message: OutboxMessage): Promise<void> {
  await db
    .insertInto("outbox_messages")
    .values({ id: message.id, channel: message.channel, recipient: message.recipient, subject: message.subject, body: message.body, created_at: message.createdAt })
    .execute();
}

export async function listOutboxMessages(db: Kysely<Database>, limit: number): Promise<OutboxMessage[]> {
  const rows = await db.selectFrom("outbox_messages").selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map((row) => ({ id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body, createdAt: Number(row.created_at) }));
}
