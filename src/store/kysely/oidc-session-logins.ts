import { sql, type Kysely } from "kysely";

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;
import type { SessionLogin } from "../ports/oidc-session-logins.js";
import type { Database } from "../schema.js";
import { prepare } from "./prepared.js";

/** Built once (prepared.ts): every login writes one. */
const insertSessionLogin = prepare((db, slot) => db.insertInto("session_logins").values({ session_id: slot(0), factor: slot(1), created_at: slot(2) }));

export async function recordSessionLogin(db: Kysely<Database>, login: SessionLogin): Promise<void> {
  await insertSessionLogin(db, login.sessionId, login.factor, login.createdAt);
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

export async function linkProviderSession(db: Kysely<Database>, providerSessionUid: string, sessionId: string, at: number): Promise<void> {
  await db
    .insertInto("provider_session_links")
    .values({ provider_session_uid: providerSessionUid, session_id: sessionId, linked_at: at })
    .onConflict((oc) => oc.column("provider_session_uid").doUpdateSet({ session_id: sessionId, linked_at: at }))
    .execute();
}

export async function findProviderSessionLinks(db: Kysely<Database>, providerSessionUids: string[]): Promise<{ providerSessionUid: string; sessionId: string }[]> {
  if (providerSessionUids.length === 0) return [];
  const rows = await db.selectFrom("provider_session_links").select(["provider_session_uid", "session_id"]).where("provider_session_uid", "in", providerSessionUids).execute();
  return rows.map((row) => ({ providerSessionUid: row.provider_session_uid, sessionId: row.session_id }));
}

export async function unlinkProviderSession(db: Kysely<Database>, providerSessionUid: string): Promise<void> {
  await db.deleteFrom("provider_session_links").where("provider_session_uid", "=", providerSessionUid).execute();
}

export async function deleteRecordsOfSessionsEndedBy(db: Kysely<Database>, endedBy: number): Promise<number> {
  let deleted = 0;
  for (const table of ["session_logins", "provider_session_links"] as const) {
    const result = await db
      .deleteFrom(table)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("sessions")
              .select("sessions.id")
              .whereRef("sessions.id", "=", `${table}.session_id`)
              .where("sessions.expires_at", ">", bigint(endedBy))
              .where((eb) => eb.or([eb("sessions.revoked_at", "is", null), eb("sessions.revoked_at", ">", bigint(endedBy))])),
          ),
        ),
      )
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}
