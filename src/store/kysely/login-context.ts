import { sql, type Kysely } from "kysely";
import type { LoginFlow, Method, User } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { toLoginFlow, toMethod, toUser } from "../rows.js";
import { isPostgres } from "../dialect.js";
import { prepare } from "./prepared.js";

/** The flow, user and method columns, prefixed so one joined row splits into three records. */
const contextColumns = [
  "f.id as f_id", "f.token_hash as f_token_hash", "f.user_id as f_user_id", "f.state as f_state", "f.method_id as f_method_id",
  "f.created_at as f_created_at", "f.expires_at as f_expires_at",
  "u.id as u_id", "u.account_id as u_account_id", "u.email as u_email", "u.display_name as u_display_name", "u.role as u_role",
  "u.password_hash as u_password_hash", "u.active as u_active", "u.created_at as u_created_at",
  "m.id as m_id", "m.user_id as m_user_id", "m.type as m_type", "m.name as m_name", "m.status as m_status", "m.is_default as m_is_default",
  "m.secret_ciphertext as m_secret_ciphertext", "m.last_used_step as m_last_used_step", "m.replaces_method_id as m_replaces_method_id",
  "m.created_at as m_created_at", "m.confirmed_at as m_confirmed_at", "m.last_used_at as m_last_used_at",
  "m.pending_expires_at as m_pending_expires_at", "m.display_hint as m_display_hint", "m.credential_id as m_credential_id",
] as const;

/**
 * The second step's first read, in one statement: the flow by its token hash,
 * its user, and the user's active methods (a left join, one row per method).
 * Three separate reads cost about 100 µs more a request (bench/).
 */
function buildLoginContextQuery(db: Kysely<Database>, slot: (index: number) => any) {
  return db
    .selectFrom("login_flows as f")
    .innerJoin("users as u", "u.id", "f.user_id")
    .leftJoin("methods as m", (join) => join.onRef("m.user_id", "=", "u.id").on("m.status", "=", "active"))
    .select(contextColumns)
    .where("f.token_hash", "=", slot(0))
    .orderBy("m.created_at");
}

const selectLoginContext = prepare<Record<string, any>>(buildLoginContextQuery);
// Inside a PostgreSQL transaction the flow row is locked (FOR UPDATE OF f): parallel second steps on
// one flow then run one after another, so those after a success read it completed (login_expired)
// instead of counting failures against the user who just signed in (see lockedInTransaction).
const selectLoginContextLocked = prepare<Record<string, any>>((db, slot) =>
  isPostgres(db) ? buildLoginContextQuery(db, slot).forUpdate("f") : buildLoginContextQuery(db, slot),
);

/** Columns `prefix_x` of a joined row, as a row of the table. */
export function part<T>(row: Record<string, any>, prefix: string): T {
  const out: Record<string, unknown> = {};
  for (const key in row) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = row[key];
  return out as T;
}

export async function findLoginContext(db: Kysely<Database>, tokenHash: string): Promise<{ flow: LoginFlow; user: User; activeMethods: Method[] } | undefined> {
  const { rows } = await (db.isTransaction ? selectLoginContextLocked : selectLoginContext)(db, tokenHash);
  const first = rows[0];
  if (!first) return undefined;
  return {
    flow: toLoginFlow(part(first, "f_")),
    user: toUser(part(first, "u_")),
    activeMethods: rows.filter((row) => row.m_id !== null).map((row) => toMethod(part(row, "m_"))),
  };
}

/**
 * The verification's read: the flow, its user and the one method the code is for (the one named,
 * else the flow's current one), only if it is that user's and active; a primary-key join, so a
 * code check touches as few pages as possible. Locked like the above inside a PostgreSQL transaction.
 */
function buildLoginAttemptQuery(db: Kysely<Database>, slot: (index: number) => any) {
  return db
    .selectFrom("login_flows as f")
    .innerJoin("users as u", "u.id", "f.user_id")
    .leftJoin("methods as m", (join) =>
      join
        .on("m.id", "=", sql<string>`coalesce(${slot(1)}, f.method_id)`)
        .onRef("m.user_id", "=", "f.user_id")
        .on("m.status", "=", "active"),
    )
    .select(contextColumns)
    .where("f.token_hash", "=", slot(0));
}

const selectLoginAttempt = prepare<Record<string, any>>(buildLoginAttemptQuery);
const selectLoginAttemptLocked = prepare<Record<string, any>>((db, slot) =>
  isPostgres(db) ? buildLoginAttemptQuery(db, slot).forUpdate("f") : buildLoginAttemptQuery(db, slot),
);

export async function findLoginAttempt(
  db: Kysely<Database>,
  tokenHash: string,
  methodId: string | null,
): Promise<{ flow: LoginFlow; user: User; method: Method | undefined } | undefined> {
  const row = (await (db.isTransaction ? selectLoginAttemptLocked : selectLoginAttempt)(db, tokenHash, methodId)).rows[0];
  if (!row) return undefined;
  return { flow: toLoginFlow(part(row, "f_")), user: toUser(part(row, "u_")), method: row.m_id === null ? undefined : toMethod(part(row, "m_")) };
}
