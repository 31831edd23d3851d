import type { Kysely } from "kysely";

/**
 * API1: what a key list shows without the key (its public prefix and last four
 * characters), when it stops working, and who revoked it. `api_keys` itself is
 * from 0001 (hash only, SECURITY 15). SQLite adds one column per statement.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("api_keys").addColumn("display_prefix", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("api_keys").addColumn("last4", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("api_keys").addColumn("expires_at", "bigint").execute();
  await db.schema.alterTable("api_keys").addColumn("revoked_by_user_id", "text").execute();
  await db.schema.createIndex("api_keys_user").on("api_keys").column("user_id").execute();
}
