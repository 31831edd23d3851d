import { sql, type Kysely } from "kysely";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;
import type { SessionLogin } from "../ports/oidc-session-logins.js";
import type { Database } from "../schema.js";

export async function recordSessionLogin(db: Kysely<Database>, login: SessionLogin): Promise<void> {
  await db.insertInto("session_logins").values({ session_id: login.sessionId, factor: login.factor, created_at: login.createdAt }).execute();
}

export async function findSessionLogin(db: Kysely<Database>, sessionId: string): Promise<SessionLogin | null> {
  const row = await db.selectFrom("session_logins").selectAll().where("session_id", "=", sessionId).executeTakeFirst();
  return row ? { sessionId: row.session_id, factor: row.factor, createdAt: Number(row.created_at) } : null;
}

export async function hasLiveSessionMadeBetween(db: Kysely<Database>, userId: string, fromMs: number, toMs: number, now: number): Promise<boolean> {
  const row = await db
    .selectFrom("sessions")
    .select("id")
    .where("user_id", "=", userId)
    .where("created_at", ">=", bigint(fromMs))
    .where("created_at", "<=", bigint(toMs))
    .where("revoked_at", "is", null)
    .where("expires_at", ">", bigint(now))
    .executeTakeFirst();
  return row !== undefined;
}
