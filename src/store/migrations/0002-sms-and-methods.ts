import type { Kysely } from "kysely";

/**
 * Issue 3: SMS codes bound to what asked for them, send-rate windows, and a
 * displayable hint per method (the masked phone number).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("methods").addColumn("display_hint", "text").execute();

  // 0001's sms_codes was a placeholder never written to; it is replaced with the final shape.
  await db.schema.dropTable("sms_codes").ifExists().execute();
  await db.schema
    .createTable("sms_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("method_id", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("binding_id", "text", (c) => c.notNull())
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema.createIndex("sms_codes_binding").on("sms_codes").columns(["method_id", "purpose", "binding_id"]).execute();

  await db.schema
    .createTable("rate_windows")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("twostep migrations only go forward; restore a backup to go back");
}
