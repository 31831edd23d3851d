import { sql, type Kysely, type Selectable } from "kysely";
import type { ApiKey, NewApiKey } from "../ports/api-keys.js";
import type { Database } from "../schema.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

/** Uses closer together than this are not written again (touchApiKey). */
const touchIntervalMs = 60_000;

const columns = [
  "api_keys.id",
  "api_keys.user_id",
  "api_keys.name",
  "api_keys.display_prefix",
  "api_keys.last4",
  "api_keys.created_at",
  "api_keys.last_used_at",
  "api_keys.expires_at",
  "api_keys.revoked_at",
  "api_keys.revoked_by_user_id",
] as const;

type Row = Omit<Selectable<Database["api_keys"]>, "key_hash">;

function toApiKey(row: Row): ApiKey {
  const time = (value: number | string | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    last4: row.last4,
    createdAt: Number(row.created_at),
    lastUsedAt: time(row.last_used_at),
    expiresAt: time(row.expires_at),
    revokedAt: time(row.revoked_at),
    revokedByUserId: row.revoked_by_user_id,
  };
}

export async function insertApiKey(db: Kysely<Database>, key: NewApiKey): Promise<void> {
  await db
    .insertInto("api_keys")
    .values({
      id: key.id,
      user_id: key.userId,
      name: key.name,
      key_hash: key.keyHash,
      display_prefix: key.displayPrefix,
      last4: key.last4,
      created_at: key.createdAt,
      last_used_at: null,
      expires_at: key.expiresAt,
      revoked_at: null,
      revoked_by_user_id: null,
    })
    .execute();
}

export async function listUserApiKeys(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  const rows = await db.selectFrom("api_keys").select(columns).where("user_id", "=", userId).orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(toApiKey);
}

export async function findApiKeyById(db: Kysely<Database>, id: string): Promise<ApiKey | undefined> {
  const row = await db.selectFrom("api_keys").select(columns).where("id", "=", id).executeTakeFirst();
  return row && toApiKey(row);
}

export async function findUsableApiKey(db: Kysely<Database>, keyHash: string, now: number): Promise<ApiKey | undefined> {
  // One statement decides everything a key needs to work, the owner's active flag included:
  // deactivating a user stops their keys at once, with nothing to revoke.
  const row = await db
    .selectFrom("api_keys")
    .innerJoin("users", "users.id", "api_keys.user_id")
    .select(columns)
    .where("api_keys.key_hash", "=", keyHash)
    .where("api_keys.revoked_at", "is", null)
    .where((eb) => eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", bigint(now))]))
    .where("users.active", "=", 1)
    .executeTakeFirst();
  return row && toApiKey(row);
}

export async function touchApiKey(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ last_used_at: now })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", bigint(now - touchIntervalMs))]))
    .execute();
}

export async function revokeApiKey(db: Kysely<Database>, id: string, revokedByUserId: string, now: number): Promise<boolean> {
  const row = await db
    .updateTable("api_keys")
    .set({ revoked_at: now, revoked_by_user_id: revokedByUserId })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
