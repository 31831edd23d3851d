import { sql, type Kysely } from "kysely";
import type { Account, LoginFlow, LoginFlowState, Session, User } from "../../domain/model.js";
import type { ClientInfo, SessionWithClient } from "../store.js";
import type { Database } from "../schema.js";
import { toAccount, toLoginFlow, toSession, toUser } from "../rows.js";
import { prepare } from "./prepared.js";
import { lockedInTransaction } from "./transaction.js";

/** Sessions and pending login flows, found by token hash only. */

const insertSessionRow = prepare((db, slot) =>
  db.insertInto("sessions").values({
    id: slot(0),
    token_hash: slot(1),
    user_id: slot(2),
    created_at: slot(3),
    expires_at: slot(4),
    authenticated_at: slot(5),
    recovery_code_used: slot(6),
    client_address: slot(7),
    user_agent: slot(8),
    revoked_at: null,
    last_active_at: slot(3),
  }),
);

export async function insertSession(db: Kysely<Database>, session: Omit<Session, "lastActiveAt">, tokenHash: string, client: ClientInfo): Promise<void> {
  await insertSessionRow(db, session.id, tokenHash, session.userId, session.createdAt, session.expiresAt, session.authenticatedAt, session.recoveryCodeUsed ? 1 : 0, client.clientAddress, client.userAgent);
}

/**
 * Read on every signed-in request (and on every forward-auth check), so built once and in one
 * statement: the live session by token hash, its user and the user's account (primary-key joins;
 * three separate reads cost three round trips).
 */
const selectLiveSession = prepare<Record<string, any>>((db, slot) =>
  db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .innerJoin("accounts as a", "a.id", "u.account_id")
    .select([
      "s.id as s_id", "s.user_id as s_user_id", "s.created_at as s_created_at", "s.expires_at as s_expires_at",
      "s.authenticated_at as s_authenticated_at", "s.recovery_code_used as s_recovery_code_used", "s.last_active_at as s_last_active_at",
      "u.id as u_id", "u.account_id as u_account_id", "u.email as u_email", "u.display_name as u_display_name", "u.role as u_role",
      "u.password_hash as u_password_hash", "u.active as u_active", "u.created_at as u_created_at",
      "a.id as a_id", "a.kind as a_kind", "a.name as a_name", "a.parent_id as a_parent_id", "a.created_at as a_created_at",
    ])
    .where("s.token_hash", "=", slot(0))
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", sql<number>`cast(${slot(1)} as bigint)`),
);

export async function findLiveSession(db: Kysely<Database>, tokenHash: string, now: number): Promise<{ session: Session; user: User; account: Account } | undefined> {
  const row = (await selectLiveSession(db, tokenHash, now)).rows[0];
  if (!row) return undefined;
  // Column by column rather than `part` (which slices every key of the row three times): this is
  // forward auth's read, on every request of a legacy panel, and what it allocates is GC it causes.
  return {
    session: toSession({ id: row.s_id, user_id: row.s_user_id, created_at: row.s_created_at, expires_at: row.s_expires_at, authenticated_at: row.s_authenticated_at, recovery_code_used: row.s_recovery_code_used, last_active_at: row.s_last_active_at } as Database["sessions"]),
    user: toUser({ id: row.u_id, account_id: row.u_account_id, email: row.u_email, display_name: row.u_display_name, role: row.u_role, password_hash: row.u_password_hash, active: row.u_active, created_at: row.u_created_at }),
    account: toAccount({ id: row.a_id, kind: row.a_kind, name: row.a_name, parent_id: row.a_parent_id, created_at: row.a_created_at }),
  };
}

export async function revokeSession(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable("sessions").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).execute();
}

export async function revokeUserSessions(db: Kysely<Database>, userId: string, now: number, exceptSessionId?: string): Promise<number> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<number>`cast(${now} as bigint)`);
  if (exceptSessionId) query = query.where("id", "!=", exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends one live session, only when it is this user's: another user's id, an ended or an expired one changes nothing (false). */
export async function revokeUserSession(db: Kysely<Database>, userId: string, sessionId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ revoked_at: now })
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<number>`cast(${now} as bigint)`)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The user's live sessions with the client each began from, the most recently active first. */
export async function listUserSessions(db: Kysely<Database>, userId: string, now: number): Promise<SessionWithClient[]> {
  const rows = await db
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<number>`cast(${now} as bigint)`)
    .execute();
  return rows
    .map((row) => ({ session: toSession(row), clientAddress: row.client_address, userAgent: row.user_agent }))
    .sort((a, b) => b.session.lastActiveAt - a.session.lastActiveAt || b.session.createdAt - a.session.createdAt || a.session.id.localeCompare(b.session.id));
}

// One statement, conditional: of any number of requests (on any number of instances) in the
// same minute, the first writes and the rest match no row.
const touchSessionRow = prepare((db, slot) =>
  db
    .updateTable("sessions")
    .set({ last_active_at: slot(1) })
    .where("id", "=", slot(0))
    .where((eb) => eb.or([eb("last_active_at", "is", null), eb("last_active_at", "<=", sql<number>`cast(${slot(2)} as bigint)`)])),
);

export async function touchSession(db: Kysely<Database>, id: string, now: number, notAfter: number): Promise<void> {
  await touchSessionRow(db, id, now, notAfter);
}

export async function endUserLoginFlows(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  // Expired, not deleted: every later move of the flow (second step, switch, resend, enrolment) is a
  // conditional write on `expires_at > now`, so it now answers login_expired.
  await db
    .updateTable("login_flows")
    .set({ expires_at: now })
    .where("user_id", "=", userId)
    .where("state", "!=", "completed")
    .where("expires_at", ">", sql<number>`cast(${now} as bigint)`)
    .execute();
}

export async function markSessionAuthenticated(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable("sessions").set({ authenticated_at: now, recovery_code_used: 0 }).where("id", "=", id).execute();
}

/** Built once (prepared.ts): every password step that opens a second step writes one. */
const insertLoginFlowRow = prepare((db, slot) =>
  db.insertInto("login_flows").values({ id: slot(0), token_hash: slot(1), user_id: slot(2), state: slot(3), method_id: slot(4), created_at: slot(5), expires_at: slot(6) }),
);

export async function insertLoginFlow(db: Kysely<Database>, flow: LoginFlow, tokenHash: string): Promise<void> {
  await insertLoginFlowRow(db, flow.id, tokenHash, flow.userId, flow.state, flow.methodId, flow.createdAt, flow.expiresAt);
}

export async function findLoginFlowByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<LoginFlow | undefined> {
  // Locked inside a transaction: parallel second steps on one flow then run one after another, as
  // on SQLite, so the ones after a success see the flow completed (login_expired) instead of
  // counting failed attempts against the user who just signed in.
  const row = await lockedInTransaction(db, db.selectFrom("login_flows").selectAll().where("token_hash", "=", tokenHash)).executeTakeFirst();
  return row && toLoginFlow(row);
}

export async function setLoginFlowMethod(db: Kysely<Database>, id: string, methodId: string | null): Promise<void> {
  await db.updateTable("login_flows").set({ method_id: methodId }).where("id", "=", id).execute();
}

/**
 * Moves a flow out of `from` (its state, method and expiry as `flow` says), in one conditional
 * write: only while it is still in `from` and not expired, so of two racing moves one wins.
 */
export async function advanceLoginFlow(db: Kysely<Database>, flow: LoginFlow, from: LoginFlowState, now: number): Promise<boolean> {
  const result = await db
    .updateTable("login_flows")
    .set({ state: flow.state, method_id: flow.methodId, expires_at: flow.expiresAt })
    .where("id", "=", flow.id)
    .where("state", "=", from)
    .where("expires_at", ">", sql<number>`cast(${now} as bigint)`)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function completeLoginFlow(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  // Conditional write: a flow yields at most one session, and never after it expired. Under READ
  // COMMITTED the second updater waits on the row lock, re-evaluates `state = 'second_factor'` on
  // the new row version (completed) and updates 0 rows.
  const result = await completeFlowRow(db, id, now);
  return result.numAffectedRows === 1n;
}

const completeFlowRow = prepare((db, slot) =>
  db
    .updateTable("login_flows")
    .set({ state: "completed" })
    .where("id", "=", slot(0))
    .where("state", "=", "second_factor")
    .where("expires_at", ">", sql<number>`cast(${slot(1)} as bigint)`),
);
