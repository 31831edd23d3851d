import { sql, type Kysely } from "kysely";
import { methodTypes, type LoginFlow, type Method, type User } from "../../domain/model.js";
import type { AttemptCount, AttemptCounts, AttemptToCount, LockSchedule } from "../store.js";
import type { Database } from "../schema.js";
import { toLoginFlow, toMethod, toUser } from "../rows.js";
import { isPostgres } from "../dialect.js";
import { prepare } from "./prepared.js";
import { allowedAttempt, bigint, countingUpsert, firstLock, refusedAttempt } from "./attempt-upsert.js";
import { countAttempt } from "./counters.js";

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

/** Per prefix, each joined column's alias and the table column it stands for (`f_token_hash` → `token_hash`), listed once. */
const columnsByPrefix = new Map<string, [alias: string, column: string][]>();
for (const selection of contextColumns) {
  const alias = selection.slice(selection.indexOf(" as ") + 4);
  const prefix = alias.slice(0, 2);
  let columns = columnsByPrefix.get(prefix);
  if (!columns) columnsByPrefix.set(prefix, (columns = []));
  columns.push([alias, alias.slice(2)]);
}

/** Columns `prefix_x` of a joined row, as a row of the table (a fixed list per prefix: no key of the row is scanned or sliced). */
function part<T>(row: Record<string, any>, prefix: "f_" | "u_" | "m_"): T {
  const out: Record<string, unknown> = {};
  for (const [alias, column] of columnsByPrefix.get(prefix)!) out[column] = row[alias];
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
 * With `count` (slots 2…): a column `countable`, whether the attempt would be checked and so is
 * counted (the port's rule: open flow at `now`, active user, a method of one of the given types).
 */
function buildLoginAttemptQuery(db: Kysely<Database>, slot: (index: number) => any, count: boolean) {
  const query = db
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
  if (!count) return query;
  // One flag per method type (fixed shape, so the statement compiles once): 1 when the proof parses as that type.
  const typeParses = sql.join(
    methodTypes.map((type, index) => sql`(m.type = ${sql.lit(type)} and cast(${slot(3 + index)} as integer) = 1)`),
    sql` or `,
  );
  return query.select(
    sql<boolean>`(f.state = 'second_factor' and f.expires_at > cast(${slot(2)} as bigint) and u.active = 1 and m.id is not null and (${typeParses}))`.as("countable"),
  );
}

const selectLoginAttempt = prepare<Record<string, any>>((db, slot) => buildLoginAttemptQuery(db, slot, false));
const selectLoginAttemptLocked = prepare<Record<string, any>>((db, slot) =>
  isPostgres(db) ? buildLoginAttemptQuery(db, slot, false).forUpdate("f") : buildLoginAttemptQuery(db, slot, false),
);
/** SQLite's counting read: the flag only; the counters are then counted one statement each (in-process calls, no network). */
const selectLoginAttemptCountable = prepare<Record<string, any>>((db, slot) => buildLoginAttemptQuery(db, slot, true));

/** Slots after the types' flags: the address key, the user key prefix, the first locks. */
const afterTypes = 3 + methodTypes.length;

/**
 * PostgreSQL's read-and-count, one statement, one round trip, for one pair of lock schedules:
 * the locked read as a CTE, then the address's counting upsert fed by it (only when
 * `countable`), then the user's (only when the address counted, or there is none): counted
 * before the check, in the order `takeAttempt` counts them. Data-modifying CTEs run once,
 * whatever reads them; the upserts see the counter rows' latest versions (ON CONFLICT), so
 * racing requests on other flows each take a slot as with `countAttempt`.
 */
function buildReadAndCount(address: LockSchedule, user: LockSchedule) {
  return prepare<Record<string, any>>((db, slot) => {
    const now = slot(2);
    const addressKey = sql`cast(${slot(afterTypes)} as text)`;
    const statement = sql`with attempt as ${buildLoginAttemptQuery(db, slot, true).forUpdate("f")},
      address as (${countingUpsert(address, sql`select ${addressKey}, 1, ${bigint(slot(afterTypes + 2))}, ${bigint(now)} from attempt where attempt.countable and ${addressKey} is not null`, now)}),
      usr as (${countingUpsert(user, sql`select cast(${slot(afterTypes + 1)} as text) || attempt.f_user_id, 1, ${bigint(slot(afterTypes + 3))}, ${bigint(now)} from attempt where attempt.countable and (${addressKey} is null or exists (select 1 from address))`, now)})
      select attempt.*, address.failures as address_failures, address.locked_until as address_locked_until, usr.failures as user_failures, usr.locked_until as user_locked_until
        from attempt left join address on true left join usr on true`;
    return { compile: () => statement.compile(db) };
  });
}

const readAndCountBySchedules = new WeakMap<LockSchedule, WeakMap<LockSchedule, ReturnType<typeof buildReadAndCount>>>();

function readAndCount(address: LockSchedule, user: LockSchedule) {
  let byUser = readAndCountBySchedules.get(address);
  if (!byUser) readAndCountBySchedules.set(address, (byUser = new WeakMap()));
  let statement = byUser.get(user);
  if (!statement) byUser.set(user, (statement = buildReadAndCount(address, user)));
  return statement;
}

export async function findLoginAttempt(
  db: Kysely<Database>,
  tokenHash: string,
  methodId: string | null,
  count?: AttemptToCount,
): Promise<{ flow: LoginFlow; user: User; method: Method | undefined; counts: AttemptCounts | null } | undefined> {
  if (!count) {
    const row = (await (db.isTransaction ? selectLoginAttemptLocked : selectLoginAttempt)(db, tokenHash, methodId)).rows[0];
    return row && { ...attemptOf(row), counts: null };
  }
  const flags = methodTypes.map((type) => (count.methodTypes.includes(type) ? 1 : 0));
  // An address schedule is needed for the statement's shape even when there is no address (nothing is counted for it then).
  const addressSchedule = count.address?.schedule ?? count.user.schedule;
  const pg = isPostgres(db);
  const row = pg
    ? (
        await readAndCount(addressSchedule, count.user.schedule)(
          db, tokenHash, methodId, count.now, ...flags,
          count.address?.key ?? null, count.user.keyPrefix, firstLock(addressSchedule, count.now), firstLock(count.user.schedule, count.now),
        )
      ).rows[0]
    : (await selectLoginAttemptCountable(db, tokenHash, methodId, count.now, ...flags)).rows[0];
  if (!row) return undefined;
  const attempt = attemptOf(row);
  if (!row.countable) return { ...attempt, counts: null };
  return { ...attempt, counts: await settleCounts(db, count, attempt.user.id, pg ? row : null) };
}

/**
 * The counts from the statement's upserts (`counted`: PostgreSQL's row) or, for what it did not
 * count (SQLite: nothing; PostgreSQL: a locked key), from `countAttempt`'s statements: a refused
 * upsert's lock is read by a new statement (the CTE's snapshot may predate it), as countAttempt does.
 */
async function settleCounts(db: Kysely<Database>, count: AttemptToCount, userId: string, counted: Record<string, any> | null): Promise<AttemptCounts> {
  const { now } = count;
  let address: AttemptCount | null = null;
  let userTried = counted !== null;
  if (count.address) {
    const { key, schedule } = count.address;
    const again = () => countAttempt(db, key, now, schedule);
    if (counted === null) address = await again();
    else if (counted.address_failures !== null) address = allowedAttempt({ failures: counted.address_failures, locked_until: counted.address_locked_until });
    else {
      address = await refusedAttempt(db, key, again);
      userTried = false;
    }
    if (!address.allowed) return { address, user: null };
  }
  const key = count.user.keyPrefix + userId;
  const again = () => countAttempt(db, key, now, count.user.schedule);
  const user = !userTried ? await again() : counted!.user_failures !== null ? allowedAttempt({ failures: counted!.user_failures, locked_until: counted!.user_locked_until }) : await refusedAttempt(db, key, again);
  return { address, user };
}

function attemptOf(row: Record<string, any>): { flow: LoginFlow; user: User; method: Method | undefined } {
  return { flow: toLoginFlow(part(row, "f_")), user: toUser(part(row, "u_")), method: row.m_id === null ? undefined : toMethod(part(row, "m_")) };
}
