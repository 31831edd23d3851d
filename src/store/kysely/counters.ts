import { sql, type Kysely } from "kysely";
import type { AttemptCount, LockSchedule } from "../store.js";
import type { Database } from "../schema.js";
import { prepare } from "./prepared.js";
import { allowedAttempt, bigint, countingUpsert, firstLock, refusedAttempt } from "./attempt-upsert.js";

/** Attempt counters (lockout) and fixed-window send counters, each a single atomic statement. */

/** The counting upsert for one lock schedule, compiled once per schedule (there are two: users and client addresses); slots: 0 key, 1 now, 2 the lock of a first failure (or null). */
function buildCountAttempt(schedule: LockSchedule) {
  return prepare<{ failures: number; locked_until: number | null }>((db, slot) => {
    // Counted before the code is checked (attempt-upsert.ts has the statement and why it is atomic).
    const upsert = countingUpsert(schedule, sql`values (${slot(0)}, 1, ${bigint(slot(2))}, ${bigint(slot(1))})`, slot(1));
    return { compile: () => upsert.compile(db) };
  });
}

const countAttemptBySchedule = new Map<string, ReturnType<typeof buildCountAttempt>>();

export async function countAttempt(db: Kysely<Database>, key: string, now: number, schedule: LockSchedule, retry = true): Promise<AttemptCount> {
  const scheduleKey = JSON.stringify(schedule.rows);
  let upsert = countAttemptBySchedule.get(scheduleKey);
  if (!upsert) {
    upsert = buildCountAttempt(schedule);
    countAttemptBySchedule.set(scheduleKey, upsert);
  }
  const row = (await upsert(db, key, now, firstLock(schedule, now))).rows[0];
  if (row) return allowedAttempt(row);
  // Locked: the lock it met, or (the row vanished in between) counted again, once.
  return refusedAttempt(db, key, async () => (retry ? countAttempt(db, key, now, schedule, false) : { allowed: false, lockedUntil: now }));
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
