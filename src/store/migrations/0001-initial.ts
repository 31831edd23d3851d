import type { Kysely } from "kysely";

/** The whole SPEC's data model; see ARCHITECTURE.md "Data model". Portable SQL only. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const id = (name: string) => db.schema.createTable(name).ifNotExists().addColumn("id", "text", (c) => c.primaryKey());

  await id("accounts")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("parent_id", "text", (c) => c.references("accounts.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await id("users")
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_account").ifNotExists().on("users").column("account_id").execute();

  await db.schema
    .createTable("policies")
    .ifNotExists()
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("require_two_factor_from", "bigint")
    .addColumn("allowed_methods", "text")
    .addColumn("recovery_code_policy", "text")
    .addColumn("rotate_password_on_disable", "integer")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("policies_pk", ["account_id", "audience"])
    .execute();

  await id("methods")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("secret_ciphertext", "text", (c) => c.notNull())
    .addColumn("last_used_step", "bigint")
    .addColumn("replaces_method_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("confirmed_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .addColumn("pending_expires_at", "bigint")
    .execute();
  await db.schema.createIndex("methods_user").ifNotExists().on("methods").column("user_id").execute();

  await db.schema
    .createTable("recovery_code_sets")
    .ifNotExists()
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
    .addColumn("salt", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await id("recovery_codes")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema.createIndex("recovery_codes_user").ifNotExists().on("recovery_codes").column("user_id").execute();

  await id("sessions")
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("authenticated_at", "bigint", (c) => c.notNull())
    .addColumn("recovery_code_used", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("client_address", "text")
    .addColumn("user_agent", "text")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema.createIndex("sessions_user").ifNotExists().on("sessions").column("user_id").execute();

  await id("login_flows")
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("method_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("attempt_counters")
    .ifNotExists()
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("locked_until", "bigint")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await id("events")
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("subject_user_id", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("client_address", "text")
    .addColumn("user_agent", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_subject").ifNotExists().on("events").columns(["subject_user_id", "created_at"]).execute();
  await db.schema.createIndex("events_account").ifNotExists().on("events").columns(["account_id", "created_at"]).execute();

  await id("sms_codes")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("method_id", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("flow_id", "text")
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();

  await id("api_keys")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();

  await id("password_resets")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();

  await id("reset_requests")
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("subject_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("filed_by_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reviewed_by_user_id", "text")
    .addColumn("review_reason", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("reviewed_at", "bigint")
    .execute();

  await id("outbox_messages")
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("subject", "text")
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("twostep migrations only go forward; restore a backup to go back");
}
