import { sql, type Kysely } from "kysely";
import type { LivePasswordLink, PasswordLinkPurpose } from "../ports/password-resets.js";
import type { Database } from "../schema.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

const toLink = (row: { user_id: string; purpose: string }): LivePasswordLink => ({ userId: row.user_id, purpose: row.purpose === "invitation" ? "invitation" : "reset" });

export async function insertPasswordReset(db: Kysely<Database>, reset: { id: string; userId: string; tokenHash: string; purpose: PasswordLinkPurpose; createdAt: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto("password_resets")
    .values({ id: reset.id, user_id: reset.userId, token_hash: reset.tokenHash, purpose: reset.purpose, created_at: reset.createdAt, expires_at: reset.expiresAt, used_at: null })
    .execute();
}

export async function findLivePasswordReset(db: Kysely<Database>, tokenHash: string, now: number): Promise<LivePasswordLink | null> {
  const row = await db
    .selectFrom("password_resets")
    .select(["user_id", "purpose"])
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", bigint(now))
    .executeTakeFirst();
  return row ? toLink(row) : null;
}

export async function consumePasswordReset(db: Kysely<Database>, tokenHash: string, now: number): Promise<LivePasswordLink | null> {
  // Single use as one conditional write (SECURITY 31). Two requests racing with one link: under
  // READ COMMITTED (PostgreSQL) the second UPDATE waits on the first's row lock, then re-checks
  // `used_at IS NULL` against the committed row version, finds it set and updates nothing, so
  // RETURNING gives it no row. SQLite runs one write transaction at a time (begin immediate).
  const row = await db
    .updateTable("password_resets")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", bigint(now))
    .returning(["user_id", "purpose"])
    .executeTakeFirst();
  return row ? toLink(row) : null;
}

export async function retireUserPasswordResets(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  await db.updateTable("password_resets").set({ used_at: now }).where("user_id", "=", userId).where("used_at", "is", null).execute();
}
