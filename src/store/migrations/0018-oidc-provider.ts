import type { Kysely } from "kysely";

/**
 * Issue 15: twostep as an OpenID Connect provider for the platform's apps.
 *
 * - `oidc_payloads`: every model the `oidc-provider` library stores (sessions,
 *   codes, tokens, grants, interactions, …) in one table keyed by model and the
 *   SHA-256 of its id: an opaque token's id *is* the token, so the table holds
 *   no live bearer value. `consumed_at` is set by one conditional write (a code
 *   or a refresh token is single use under a race); `grant_id`, `uid`,
 *   `user_code` and `account_id` are the lookups the library asks for.
 * - `oidc_clients`: the relying apps, registered by command; the secret only
 *   as a hash (none for a public client); URIs as JSON arrays, matched exactly.
 * - `oidc_signing_keys`: the provider's private signing keys, sealed with the
 *   secret box (AAD = the key id) and shared by every instance; a retired key
 *   stays published until the tokens it signed have expired.
 * - `session_logins`: how a twostep session was made (the factor of its
 *   login: `password`, `totp`, `webauthn`, `remembered_browser`, …), from
 *   which the apps' tokens get their `amr` and `acr`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oidc_payloads")
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("id_hash", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("grant_id", "text")
    .addColumn("uid", "text")
    .addColumn("user_code", "text")
    .addColumn("account_id", "text")
    .addColumn("expires_at", "bigint")
    .addColumn("consumed_at", "bigint")
    .addPrimaryKeyConstraint("oidc_payloads_pk", ["model", "id_hash"])
    .execute();
  await db.schema.createIndex("oidc_payloads_grant").on("oidc_payloads").column("grant_id").execute();
  await db.schema.createIndex("oidc_payloads_uid").on("oidc_payloads").columns(["model", "uid"]).execute();
  await db.schema.createIndex("oidc_payloads_user_code").on("oidc_payloads").columns(["model", "user_code"]).execute();
  await db.schema.createIndex("oidc_payloads_account").on("oidc_payloads").columns(["model", "account_id"]).execute();
  await db.schema.createIndex("oidc_payloads_expiry").on("oidc_payloads").column("expires_at").execute();

  await db.schema
    .createTable("oidc_clients")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("secret_hash", "text")
    .addColumn("redirect_uris", "text", (c) => c.notNull())
    .addColumn("post_logout_redirect_uris", "text", (c) => c.notNull())
    .addColumn("backchannel_logout_uri", "text")
    .addColumn("forward_auth_origins", "text", (c) => c.notNull())
    .addColumn("require_two_factor", "integer", (c) => c.notNull())
    .addColumn("remember_browser", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("secret_rotated_at", "bigint")
    .execute();
  await db.schema.createIndex("oidc_clients_name").unique().on("oidc_clients").column("name").execute();

  await db.schema
    .createTable("oidc_signing_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("private_jwk_ciphertext", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("retired_at", "bigint")
    .execute();

  await db.schema
    .createTable("session_logins")
    .addColumn("session_id", "text", (c) => c.primaryKey())
    .addColumn("factor", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}
