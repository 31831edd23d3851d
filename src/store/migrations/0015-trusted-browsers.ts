import type { Kysely } from "kysely";

/**
 * L7 "Remember this browser": browsers a user asked not to be asked the second
 * step again on. A table of its own, not `remembered_browsers` (0006; `known_browsers` since 0017): a row
 * there comes from every completed login and only eases the password delay; a
 * row here skips the second factor, so it exists only when the user ticked the
 * box, and is forgotten on any 2FA or password change. One row per browser: the
 * hash of its cookie token (never the token), the user, when it was remembered,
 * until when, and a label from its user agent. The policy column says how many
 * days a level allows (null inherits, 0 never offers it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("policies").addColumn("remember_browser_days", "integer").execute();
  await db.schema
    .createTable("trusted_browsers")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("trusted_browsers_user").on("trusted_browsers").columns(["user_id", "expires_at"]).execute();
}
