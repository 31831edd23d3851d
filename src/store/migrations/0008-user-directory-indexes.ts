import type { Kysely } from "kysely";

/**
 * A1 (Manage users) at a million users:
 * - users(account_id, email, id): one account's users in email order, so a page
 *   is an index range walk from the keyset cursor (no sort, no OFFSET); with the
 *   id in it, the coverage count (total, and "has 2FA" probed by id) reads the
 *   index only, never the users table;
 * - methods(user_id, status): "has an active method" is one index probe per
 *   user (the filter "Without 2FA" and the coverage count);
 * - sessions(user_id, created_at): a user's last login is the last entry of
 *   its range (max without reading the table).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("users_account_email").on("users").columns(["account_id", "email", "id"]).execute();
  await db.schema.createIndex("methods_user_status").on("methods").columns(["user_id", "status"]).execute();
  await db.schema.createIndex("sessions_user_created").on("sessions").columns(["user_id", "created_at"]).execute();
}
