import { sql, type Kysely } from "kysely";
import type { AttemptCount, LockSchedule } from "../store.js";
import type { Database } from "../schema.js";
import { prepare } from "./prepared.js";

/** Attempt counters (lockout) and fixed-window send counters, each a single atomic statement. */

/**
 * The counting upsert for one lock schedule, built and compiled once per schedule (there are two:
 * users and client addresses); slots: 0 key, 1 now, 2 the lock of a first failure (or null).
 */
function buildCountAttempt(schedule: LockSchedule) {
  const first = schedule.rows[0];
  const last = schedule.rows[schedule.rows.length - 1];
  if (!first || !last) throw new Error("lock schedule is empty");
  return prepare<{ failures: number; locked_until: number | null }>((db, slot) => {
    const next = sql<number>`attempt_counters.failures + 1`;
    // Parameters are cast: PostgreSQL types a bare parameter from its neighbours (text in a CASE,
    // integer beside an integer, too small for millisecond times); SQLite ignores the casts' width.
    const bigint = (value: unknown) => sql<number>`cast(${value} as bigint)`;
    // The lock length for the new count, as one CASE so the count and the lock land in one write.
    const lockSeconds = sql<number>`case ${sql.join(
      schedule.rows.slice(0, -1).map((row) => sql`when ${next} = ${bigint(row.failures)} then ${bigint(row.lockSeconds)}`),
      sql` `,
    )} else ${bigint(last.lockSeconds)} end`;
    // One upsert, counted before the code is checked: a new key starts at 1; a known key counts up
    // only while it is not locked (the WHERE), so parallel guesses each take a slot (AuthQuake).
    // INSERT … ON CONFLICT DO UPDATE is atomic on PostgreSQL too: it either inserts or locks the
    // existing row and updates it from its latest version (failures + 1 counts every racer); a
    // racing insert of the same new key waits for the first and then takes the update branch.
    return db
      .insertInto("attempt_counters")
      .values({ key: slot(0), failures: 1, locked_until: bigint(slot(2)), updated_at: bigint(slot(1)) })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet({
            failures: next,
            locked_until: sql`case when ${next} >= ${bigint(first.failures)} then ${bigint(slot(1))} + 1000 * (${lockSeconds}) else null end`,
            updated_at: bigint(slot(1)),
          })
          .where((eb) => eb.or([eb("attempt_counters.locked_until", "is", null), eb("attempt_counters.locked_until", "<=", bigint(slot(1)))])),
      )
      .returning(["failures", "locked_until"]);
  });
}

const countAttemptBySchedule = new Map<string, ReturnType<typeof buildCountAttempt>>();
const selectLockedUntil = prepare<{ locked_until: number | null }>((db, slot) =>
  db.selectFrom("attempt_counters").select("locked_until").where("key", "=", slot(0)),
);

export async function countAttempt(db: Kysely<Database>, key: string, now: number, schedule: LockSchedule, retry = true): Promise<AttemptCount> {
  const scheduleKey = JSON.stringify(schedule.rows);
  let upsert = countAttemptBySchedule.get(scheduleKey);
  if (!upsert) {
    upsert = buildCountAttempt(schedule);
    countAttemptBySchedule.set(scheduleKey, upsert);
  }
  const first = schedule.rows[0]!;
  const firstLock = first.failures <= 1 ? now + first.lockSeconds * 1000 : null;
  const row = (await upsert(db, key, now, firstLock)).rows[0];
  if (row) return { allowed: true, failures: Number(row.failures), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
  // Locked. The row can vanish in between (a success cleared it): then count again, once.
  const locked = (await selectLockedUntil(db, key)).rows[0];
  if (locked?.locked_until == null) return retry ? countAttempt(db, key, now, schedule, false) : { allowed: false, lockedUntil: now };
  return { allowed: false, lockedUntil: Number(locked.locked_until) };
}

const deleteAttempts = prepare((db, slot) => db.deleteFrom("attempt_counters").where("key", "=", slot(0)));

export async function clearAttempts(db: Kysely<Database>, key: string): Promise<void> {
  await deleteAttempts(db, key);
}

export async function refundAttempt(db: Kysely<Database>, key: string, now: number): Promise<void> {
  // A relative UPDATE: under READ COMMITTED a racing refund waits on the row lock and then applies
  // `failures - 1` (and `failures > 0`) to the new row version, so no refund is lost or doubled.
  await decrementAttempts(db, key, now);
}

const decrementAttempts = prepare((db, slot) =>
  db
    .updateTable("attempt_counters")
    .set({ failures: sql`failures - 1`, updated_at: sql`cast(${slot(1)} as bigint)` })
    .where("key", "=", slot(0))
    .where("failures", ">", 0),
);

export async function countInWindow(db: Kysely<Database>, key: string, now: number, windowSeconds: number): Promise<{ count: number; windowStart: number }> {
  const expired = sql<boolean>`rate_windows.window_start <= ${now - windowSeconds * 1000}`;
  // One upsert: a new window starts at 1, a live one counts up, in a single atomic statement.
  // INSERT … ON CONFLICT DO UPDATE is atomic on PostgreSQL too: it either inserts or locks the
  // existing row and updates it from its latest version, so every racing send is counted.
  const row = await db
    .insertInto("rate_windows")
    .values({ key, window_start: now, count: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        count: sql`case when ${expired} then 1 else rate_windows.count + 1 end`,
        window_start: sql`case when ${expired} then ${now} else rate_windows.window_start end`,
      }),
    )
    .returning(["count", "window_start"])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), windowStart: Number(row.window_start) };
}
