import { sql, type Kysely } from "kysely";
import type { TrustedBrowser } from "../ports/trusted-browsers.js";
import type { Database } from "../schema.js";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

/** Most browsers remembered per user: a script ticking the box on every login cannot grow the table without end. */
export const trustedBrowsersPerUser = 20;

type Row = Database["trusted_browsers"];
const browserOf = (row: Row): TrustedBrowser => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  label: row.label,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
});

export async function trustBrowser(db: Kysely<Database>, browser: TrustedBrowser): Promise<void> {
  await db.deleteFrom("trusted_browsers").where("user_id", "=", browser.userId).where("expires_at", "<=", bigint(browser.createdAt)).execute();
  await db
    .insertInto("trusted_browsers")
    .values({ token_hash: browser.tokenHash, user_id: browser.userId, label: browser.label, created_at: browser.createdAt, expires_at: browser.expiresAt })
    .execute();
  await db
    .deleteFrom("trusted_browsers")
    .where("user_id", "=", browser.userId)
    .where("token_hash", "not in", (eb) =>
      eb.selectFrom("trusted_browsers").select("token_hash").where("user_id", "=", browser.userId).orderBy("created_at", "desc").orderBy("token_hash").limit(trustedBrowsersPerUser),
    )
    .execute();
}

export async function findTrustedBrowser(db: Kysely<Database>, tokenHash: string, now: number): Promise<TrustedBrowser | null> {
  const row = await db.selectFrom("trusted_browsers").selectAll().where("token_hash", "=", tokenHash).where("expires_at", ">", bigint(now)).executeTakeFirst();
  return row ? browserOf(row) : null;
}

export async function listTrustedBrowsers(db: Kysely<Database>, userId: string, now: number): Promise<TrustedBrowser[]> {
  const rows = await db
    .selectFrom("trusted_browsers")
    .selectAll()
    .where("user_id", "=", userId)
    .where("expires_at", ">", bigint(now))
    .orderBy("created_at", "desc")
    .orderBy("token_hash")
    .execute();
  return rows.map(browserOf);
}

export async function forgetTrustedBrowser(db: Kysely<Database>, userId: string, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom("trusted_browsers").where("user_id", "=", userId).where("token_hash", "=", tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function forgetUserTrustedBrowsers(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom("trusted_browsers").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
