import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

/** Most browsers kept per user: an API script that never keeps its token cannot grow the table without end. */
export const knownBrowsersPerUser = 20;

export async function recordKnownBrowser(db: Kysely<Database>, input: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto("known_browsers")
    .values({ token_hash: input.tokenHash, user_id: input.userId, created_at: input.createdAt, expires_at: input.expiresAt })
    .execute();
  // Keeps the table bounded by live browsers, in one statement: the user's expired rows go when they
  // log in again, and of the live ones only the newest knownBrowsersPerUser stay.
  await db
    .deleteFrom("known_browsers")
    .where("user_id", "=", input.userId)
    .where("token_hash", "not in", (eb) =>
      eb
        .selectFrom("known_browsers")
        .select("token_hash")
        .where("user_id", "=", input.userId)
        .where("expires_at", ">", bigint(input.createdAt))
        .orderBy("created_at", "desc")
        .orderBy("token_hash")
        .limit(knownBrowsersPerUser),
    )
    .execute();
}

export async function findKnownBrowser(db: Kysely<Database>, tokenHash: string, now: number): Promise<{ userId: string } | null> {
  const row = await db
    .selectFrom("known_browsers")
    .select("user_id")
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", bigint(now))
    .executeTakeFirst();
  return row ? { userId: row.user_id } : null;
}

export async function forgetUserKnownBrowsers(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom("known_browsers").where("user_id", "=", userId).execute();
}
