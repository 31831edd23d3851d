import { sql, type Kysely } from "kysely";
import type { OidcPayload, StoredOidcPayload } from "../ports/oidc-payloads.js";
import type { Database } from "../schema.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

type Row = Database["oidc_payloads"];
const payloadOf = (row: Row): StoredOidcPayload => ({
  model: row.model,
  idHash: row.id_hash,
  payload: row.payload,
  grantId: row.grant_id,
  uid: row.uid,
  userCode: row.user_code,
  accountId: row.account_id,
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
});

function live(db: Kysely<Database>, model: string, now: number) {
  return db
    .selectFrom("oidc_payloads")
    .selectAll()
    .where("model", "=", model)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", bigint(now))]));
}

export async function upsertOidcPayload(db: Kysely<Database>, row: OidcPayload): Promise<void> {
  const values = {
    payload: row.payload,
    grant_id: row.grantId,
    uid: row.uid,
    user_code: row.userCode,
    account_id: row.accountId,
    expires_at: row.expiresAt,
  };
  await db
    .insertInto("oidc_payloads")
    .values({ model: row.model, id_hash: row.idHash, consumed_at: null, ...values })
    // consumed_at is left as it is: saving a consumed code again never makes it usable.
    .onConflict((conflict) => conflict.columns(["model", "id_hash"]).doUpdateSet(values))
    .execute();
}

export async function findOidcPayload(db: Kysely<Database>, model: string, idHash: string, now: number): Promise<StoredOidcPayload | null> {
  const row = await live(db, model, now).where("id_hash", "=", idHash).executeTakeFirst();
  return row ? payloadOf(row) : null;
}

export async function findOidcPayloadByUid(db: Kysely<Database>, model: string, uid: string, now: number): Promise<StoredOidcPayload | null> {
  const row = await live(db, model, now).where("uid", "=", uid).executeTakeFirst();
  return row ? payloadOf(row) : null;
}

export async function findOidcPayloadByUserCode(db: Kysely<Database>, model: string, userCode: string, now: number): Promise<StoredOidcPayload | null> {
  const row = await live(db, model, now).where("user_code", "=", userCode).executeTakeFirst();
  return row ? payloadOf(row) : null;
}

export async function listOidcPayloadsByAccount(db: Kysely<Database>, model: string, accountId: string, now: number): Promise<StoredOidcPayload[]> {
  const rows = await live(db, model, now).where("account_id", "=", accountId).orderBy("id_hash").execute();
  return rows.map(payloadOf);
}

export async function consumeOidcPayload(db: Kysely<Database>, model: string, idHash: string, now: number): Promise<boolean> {
  // Single use: one conditional write. A racing twin re-checks `consumed_at is null` on the updated row and changes nothing.
  const result = await db
    .updateTable("oidc_payloads")
    .set({ consumed_at: now })
    .where("model", "=", model)
    .where("id_hash", "=", idHash)
    .where("consumed_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", bigint(now))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function destroyOidcPayload(db: Kysely<Database>, model: string, idHash: string): Promise<void> {
  await db.deleteFrom("oidc_payloads").where("model", "=", model).where("id_hash", "=", idHash).execute();
}

export async function revokeOidcPayloadsByGrantId(db: Kysely<Database>, grantId: string): Promise<number> {
  const result = await db.deleteFrom("oidc_payloads").where("grant_id", "=", grantId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredOidcPayloads(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom("oidc_payloads").where("expires_at", "<=", bigint(now)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
