import type { Kysely } from "kysely";

/**
 * Issue 19: `remembered_browsers` (0006) becomes `known_browsers`, so its name
 * cannot be mistaken for `trusted_browsers` (0015). A known browser completed a
 * login before and only skips the per-account password delay; a trusted browser
 * skips the second step. Same rows and columns; the user index is rebuilt under
 * the new name (SQLite cannot rename an index). `ALTER TABLE … RENAME TO` is the
 * same statement on SQLite and PostgreSQL and keeps the rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("remembered_browsers_user").execute();
  await db.schema.alterTable("remembered_browsers").renameTo("known_browsers").execute();
  await db.schema.createIndex("known_browsers_user").on("known_browsers").column("user_id").execute();
}
