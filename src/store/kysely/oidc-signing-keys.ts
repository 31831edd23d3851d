import type { Kysely } from "kysely";
import type { SigningKey } from "../ports/oidc-signing-keys.js";
import type { Database } from "../schema.js";

type Row = Database["oidc_signing_keys"];
const keyOf = (row: Row): SigningKey => ({
  id: row.id,
  privateJwkCiphertext: row.private_jwk_ciphertext,
  createdAt: Number(row.created_at),
  retiredAt: row.retired_at === null ? null : Number(row.retired_at),
});

export async function insertSigningKey(db: Kysely<Database>, key: SigningKey): Promise<void> {
  await db
    .insertInto("oidc_signing_keys")
    .values({ id: key.id, private_jwk_ciphertext: key.privateJwkCiphertext, created_at: key.createdAt, retired_at: key.retiredAt })
    .execute();
}

export async function listSigningKeys(db: Kysely<Database>): Promise<SigningKey[]> {
  const rows = await db.selectFrom("oidc_signing_keys").selectAll().orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(keyOf);
}

export async function retireSigningKeysExcept(db: Kysely<Database>, id: string, now: number): Promise<number> {
  const result = await db.updateTable("oidc_signing_keys").set({ retired_at: now }).where("id", "!=", id).where("retired_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteSigningKey(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("oidc_signing_keys").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
