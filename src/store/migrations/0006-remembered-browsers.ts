import type { Kysely } from "kysely";

/**
 * Issue 7: browsers that completed a login, so the per-account password delay
 * does not hold them back. One row per browser: the hash of its cookie token
 * (never the token), the user it proved itself for, and when it expires.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("remembered_browsers")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("remembered_browsers_user").on("remembered_browsers").column("user_id").execute();
}
