import type { Kysely } from "kysely";
import type { SessionLogin } from "../ports/oidc-session-logins.js";
import type { Database } from "../schema.js";

export async function recordSessionLogin(db: Kysely<Database>, login: SessionLogin): Promise<void> {
  await db.insertInto("session_logins").values({ session_id: login.sessionId, factor: login.factor, created_at: login.createdAt }).execute();
}

export async function findSessionLogin(db: Kysely<Database>, sessionId: string): Promise<SessionLogin | null> {
  const row = await db.selectFrom("session_logins").selectAll().where("session_id", "=", sessionId).executeTakeFirst();
  return row ? { sessionId: row.session_id, factor: row.factor, createdAt: Number(row.created_at) } : null;
}
