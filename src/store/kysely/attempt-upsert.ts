import { sql, type Kysely, type RawBuilder } from "kysely";
import type { AttemptCount, LockSchedule } from "../store.js";
import type { Database } from "../schema.js";
import { prepare } from "./prepared.js";

/**
 * The attempt counter's counting upsert, written once for the two statements that send it:
 * `counters.countAttempt` (one key, from VALUES) and the second step's read-and-count on
 * PostgreSQL (`login-context.ts`, from the locked flow row, inside a CTE). Not a port module:
 * `kysely-store.ts` binds nothing from here.
 */

/**
 * `source` gives the row to insert (key, failures = 1, the lock of a first failure, now) as
 * `VALUES (…)` or a `SELECT`; `now` is the time in milliseconds. A new key starts at 1; a known
 * key counts up only while it is not locked (the WHERE), so parallel guesses each take a slot
 * (AuthQuake). INSERT … ON CONFLICT DO UPDATE is atomic on PostgreSQL too: it either inserts or
 * locks the existing row and updates it from its latest version (failures + 1 counts every
 * racer); a racing insert of the same new key waits for the first and then takes the update
 * branch. Returns no row when the key was locked.
 */
export function countingUpsert(schedule: LockSchedule, source: RawBuilder<unknown>, now: unknown): RawBuilder<{ failures: number; locked_until: number | null }> {
  const first = schedule.rows[0];
  const last = schedule.rows[schedule.rows.length - 1];
  if (!first || !last) throw new Error("lock schedule is empty");
  const next = sql<number>`attempt_counters.failures + 1`;
  // The lock length for the new count, as one CASE so the count and the lock land in one write
  // (a one-row schedule has one length: a CASE with no WHEN is not SQL).
  const earlier = schedule.rows.slice(0, -1);
  const lockSeconds =
    earlier.length === 0
      ? bigint(last.lockSeconds)
      : sql<number>`case ${sql.join(
          earlier.map((row) => sql`when ${next} = ${bigint(row.failures)} then ${bigint(row.lockSeconds)}`),
          sql` `,
        )} else ${bigint(last.lockSeconds)} end`;
  return sql`insert into attempt_counters (key, failures, locked_until, updated_at) ${source}
    on conflict (key) do update set
      failures = ${next},
      locked_until = case when ${next} >= ${bigint(first.failures)} then ${bigint(now)} + 1000 * (${lockSeconds}) else null end,
      updated_at = ${bigint(now)}
    where attempt_counters.locked_until is null or attempt_counters.locked_until <= ${bigint(now)}
    returning failures, locked_until`;
}

/**
 * Parameters are cast: PostgreSQL types a bare parameter from its neighbours (text in a CASE,
 * integer beside an integer, too small for millisecond times); SQLite ignores the casts' width.
 */
export const bigint = (value: unknown) => sql<number>`cast(${value} as bigint)`;

/** The lock a first failure sets when the schedule locks at once (null otherwise). */
export function firstLock(schedule: LockSchedule, now: number): number | null {
  const first = schedule.rows[0]!;
  return first.failures <= 1 ? now + first.lockSeconds * 1000 : null;
}

/** A counted attempt as the port gives it. */
export function allowedAttempt(row: { failures: number | string; locked_until: number | string | null }): AttemptCount {
  return { allowed: true, failures: Number(row.failures), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
}

const selectLockedUntil = prepare<{ locked_until: number | null }>((db, slot) =>
  db.selectFrom("attempt_counters").select("locked_until").where("key", "=", slot(0)),
);

/**
 * After an upsert that counted nothing (the key was locked): the lock it met, read by a new
 * statement. The row can vanish in between (a success cleared it): then `recount` counts again.
 */
export async function refusedAttempt(db: Kysely<Database>, key: string, recount: () => Promise<AttemptCount>): Promise<AttemptCount> {
  const locked = (await selectLockedUntil(db, key)).rows[0];
  if (locked?.locked_until == null) return recount();
  return { allowed: false, lockedUntil: Number(locked.locked_until) };
}
