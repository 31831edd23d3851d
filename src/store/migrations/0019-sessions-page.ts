import type { Kysely } from "kysely";

/**
 * Issue 17 items 4 and 5: "Where you're signed in" and the new sign-in email.
 * - `sessions.last_active_at`: when the session was last used, written at most once a
 *   minute per session by a conditional update (never a write per request); null on rows
 *   made before this migration until their next use.
 * - `sessions(user_id, revoked_at, expires_at)` is served by the existing `sessions_user`
 *   index (0001): a user has few sessions, so no new index.
 * - `policies.new_sign_in_email` (null inherits, 0 off, 1 on; on by default): the email a
 *   user gets when a browser that has not signed in to them before completes a login.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("last_active_at", "bigint").execute();
  await db.schema.alterTable("policies").addColumn("new_sign_in_email", "integer").execute();
}
