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
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outgoing_messages").addColumn("payload", "text").execute();
}
