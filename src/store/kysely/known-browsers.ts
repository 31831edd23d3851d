import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import { prepare } from "./prepared.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

/** Most browsers kept per user: an API script that never keeps its token cannot grow the table without end. */
export const knownBrowsersPerUser = 20;

const insertKnownBrowser = prepare((db, slot) =>
  db.insertInto("known_browsers").values({ token_hash: slot(0), user_id: slot(1), created_at: slot(2), expires_at: slot(3) }),
);

/**
 * Keeps the table bounded by live browsers, in one statement: the user's expired rows go when they
 * log in again, and of the live ones only the newest knownBrowsersPerUser stay.
 */
const pruneKnownBrowsers = prepare((db, slot) =>
  db
    .deleteFrom("known_browsers")
    .where("user_id", "=", slot(0))
    .where("token_hash", "not in", (eb) =>
      eb
        .selectFrom("known_browsers")
        .select("token_hash")
        .where("user_id", "=", slot(0))
        .where("expires_at", ">", sql<number>`cast(${slot(1)} as bigint)`)
        .orderBy("created_at", "desc")
        .orderBy("token_hash")
        .limit(knownBrowsersPerUser),
    ),
);

/** How many rows the user has and when the first of them expires: whether there is anything to prune. */
const userKnownBrowsers = prepare<{ kept: number | string; first_expiry: number | string | null }>((db, slot) =>
  db
    .selectFrom("known_browsers")
    .select((eb) => [eb.fn.countAll().as("kept"), eb.fn.min("expires_at").as("first_expiry")])
    .where("user_id", "=", slot(0)),
);

/**
 * Built once (prepared.ts): every login from a new browser runs these. The pruning statement (a
 * sorted, limited subquery) runs only when there is something to prune, and a login's usual
 * case (a few live rows) costs one aggregate read on the user's index instead (bench/README.md).
 */
export async function recordKnownBrowser(db: Kysely<Database>, input: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await insertKnownBrowser(db, input.tokenHash, input.userId, input.createdAt, input.expiresAt);
  // An aggregate answers one row, with the row just inserted among those it counts.
  const { kept, first_expiry } = (await userKnownBrowsers(db, input.userId)).rows[0]!;
  if (Number(kept) > knownBrowsersPerUser || Number(first_expiry) <= input.createdAt) await pruneKnownBrowsers(db, input.userId, input.createdAt);
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
