import type { Kysely } from "kysely";

/**
 * Issue 15 item 5: the transactional outbox carries back-channel logouts too.
 * `outgoing_messages.channel` is then `backchannel_logout`, `recipient` the
 * app's client id, and `payload` what the logout token will say (JSON: the
 * client id, the user's id as `sub`, the provider session's `sid`). The
 * token itself is made and signed only when the dispatcher sends it, by the
 * provider with its signing key of that moment (a token signed at enqueue time
 * would be expired by the first retry: the library gives it 120 seconds).
 * Emails leave `payload` null. Claims, leases, retries and settling are the
 * email outbox's, unchanged.
 *
 * `provider_session_links`: which twostep session each provider session's
 * apps signed in through (written at each app sign-in), so ending one twostep
 * session ends exactly its apps, even beside another session of the same user
 * made in the same second (the login time alone cannot tell them apart).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outgoing_messages").addColumn("payload", "text").execute();
  await db.schema
    .createTable("provider_session_links")
    .addColumn("provider_session_uid", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("linked_at", "bigint", (c) => c.notNull())
    .execute();
}
