import type { Kysely } from "kysely";
import type { OutboxMessage } from "../../domain/model.js";
import type { Database } from "../schema.js";

/** The development outbox: texts and emails a developer reads at /dev/outbox instead of sending them. */

export async function insertOutboxMessage(db: Kysely<Database>, message: OutboxMessage): Promise<void> {
  await db
    .insertInto("outbox_messages")
    .values({ id: message.id, channel: message.channel, recipient: message.recipient, subject: message.subject, body: message.body, created_at: message.createdAt })
    .execute();
}

export function listOutboxMessages(db: Kysely<Database>, limit: number): Promise<OutboxMessage[]> {
  return newestOutboxMessages(db, limit, null);
}

export async function listOutboxMessagesTo(db: Kysely<Database>, recipients: string[], limit: number): Promise<OutboxMessage[]> {
  return recipients.length === 0 ? [] : newestOutboxMessages(db, limit, recipients);
}

async function newestOutboxMessages(db: Kysely<Database>, limit: number, recipients: string[] | null): Promise<OutboxMessage[]> {
  let query = db.selectFrom("outbox_messages").selectAll();
  if (recipients) query = query.where("recipient", "in", recipients);
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map((row) => ({ id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body, createdAt: Number(row.created_at) }));
}
