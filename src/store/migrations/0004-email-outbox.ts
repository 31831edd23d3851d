import type { Kysely } from "kysely";

/**
 * Issue 7: the transactional outbox (SPEC O3). A message that reports a change
 * is a row written in that change's transaction; a dispatcher sends it after
 * commit and marks it sent. `claimed_until` is a lease: a sender that dies
 * holding a claim loses it when the lease runs out, and the row is due again.
 * Bodies are emptied once a message is sent or given up on, so a row never
 * keeps a link longer than it must.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("outgoing_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text_body", "text", (c) => c.notNull())
    .addColumn("html_body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("claimed_until", "bigint")
    .addColumn("claimed_by", "text")
    .addColumn("last_error", "text")
    .addColumn("provider_message_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint")
    .execute();
  // The dispatcher's query: pending rows whose time has come, oldest first.
  await db.schema.createIndex("outgoing_messages_due").on("outgoing_messages").columns(["status", "next_attempt_at"]).execute();
}
