import type { Kysely } from "kysely";
import type { OutboxMessage, SecurityEvent } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { toEvent } from "../rows.js";

/** The append-only event log and the development outbox. */

export async function appendEvent(db: Kysely<Database>, event: SecurityEvent): Promise<void> {
  await db
    .insertInto("events")
    .values({
      id: event.id,
      account_id: event.accountId,
      actor_user_id: event.actorUserId,
      subject_user_id: event.subjectUserId,
      type: event.type,
      detail: JSON.stringify(event.detail),
      client_address: event.clientAddress,
      user_agent: event.userAgent,
      created_at: event.createdAt,
    })
    .execute();
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
