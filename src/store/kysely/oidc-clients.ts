import type { Kysely } from "kysely";
import type { OidcClient } from "../ports/oidc-clients.js";
import type { Database } from "../schema.js";

type Row = Database["oidc_clients"];
const list = (text: string): string[] => JSON.parse(text) as string[];
const clientOf = (row: Row): OidcClient => ({
  id: row.id,
  name: row.name,
  secretHash: row.secret_hash,
  redirectUris: list(row.redirect_uris),
  postLogoutRedirectUris: list(row.post_logout_redirect_uris),
  backchannelLogoutUri: row.backchannel_logout_uri,
  forwardAuthOrigins: list(row.forward_auth_origins),
  requireTwoFactor: row.require_two_factor === 1,
  rememberBrowser: row.remember_browser === 1,
  createdAt: Number(row.created_at),
  secretRotatedAt: row.secret_rotated_at === null ? null : Number(row.secret_rotated_at),
});

export async function insertOidcClient(db: Kysely<Database>, client: OidcClient): Promise<boolean> {
  const result = await db
    .insertInto("oidc_clients")
    .values({
      id: client.id,
      name: client.name,
      secret_hash: client.secretHash,
      redirect_uris: JSON.stringify(client.redirectUris),
      post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
      backchannel_logout_uri: client.backchannelLogoutUri,
      forward_auth_origins: JSON.stringify(client.forwardAuthOrigins),
      require_two_factor: client.requireTwoFactor ? 1 : 0,
      remember_browser: client.rememberBrowser ? 1 : 0,
      created_at: client.createdAt,
      secret_rotated_at: client.secretRotatedAt,
    })
    // The unique name index decides between two racing creates of one name.
    .onConflict((conflict) => conflict.column("name").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function findOidcClient(db: Kysely<Database>, id: string): Promise<OidcClient | null> {
  const row = await db.selectFrom("oidc_clients").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? clientOf(row) : null;
}

export async function findOidcClientByName(db: Kysely<Database>, name: string): Promise<OidcClient | null> {
  const row = await db.selectFrom("oidc_clients").selectAll().where("name", "=", name).executeTakeFirst();
  return row ? clientOf(row) : null;
}

export async function listOidcClients(db: Kysely<Database>): Promise<OidcClient[]> {
  const rows = await db.selectFrom("oidc_clients").selectAll().orderBy("name").execute();
  return rows.map(clientOf);
}

export async function replaceOidcClientSecret(db: Kysely<Database>, id: string, secretHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("oidc_clients")
    .set({ secret_hash: secretHash, secret_rotated_at: now })
    .where("id", "=", id)
    .where("secret_hash", "is not", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteOidcClient(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("oidc_clients").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
