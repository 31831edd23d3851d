import type { Kysely } from "kysely";

/**
 * Security keys and passkeys (WebAuthn). A key is a `methods` row like any
 * other factor: its sealed secret is the credential's public key, its
 * `last_used_step` the signature counter. `credential_id` is what a login
 * looks the key up by, unique across all users (null for other types). The
 * challenges a server issued are kept only as hashes, bound to a user, a
 * purpose and what asked (login flow, session), single use and short-lived.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("methods").addColumn("credential_id", "text").execute();
  await db.schema.createIndex("methods_credential_id").unique().on("methods").column("credential_id").execute();
  await db.schema
    .createTable("webauthn_challenges")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("binding_id", "text", (c) => c.notNull())
    .addColumn("challenge_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema.createIndex("webauthn_challenges_binding").on("webauthn_challenges").columns(["user_id", "purpose", "binding_id"]).execute();
}
