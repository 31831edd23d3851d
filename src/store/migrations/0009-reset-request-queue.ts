import { sql, type Kysely } from "kysely";

/**
 * A2: the support queue of 2FA reset requests. A partial unique index holds
 * "at most one pending request per user" in the database itself, so two admins
 * filing at once cannot both succeed; the second index serves the queue
 * (pending, oldest first). Partial indexes run the same on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index reset_requests_one_pending on reset_requests (subject_user_id) where status = 'pending'`.execute(db);
  await db.schema.createIndex("reset_requests_status_created").on("reset_requests").columns(["status", "created_at"]).execute();
}
