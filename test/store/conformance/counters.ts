/** Store conformance: attempt and send counters. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now, schedule } from "./fixtures.js";

export function countersConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("counts attempts atomically, locks on schedule, refunds and clears", async () => {
    const key = `user:${randomUUID()}`;
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().counters.countAttempt(key, now, schedule)));
    const allowed = racers.filter((result) => result.allowed);
    assert.equal(allowed.length, 3, "three free failures, then the lock holds even for racing requests");
    assert.ok(racers.some((result) => !result.allowed && result.lockedUntil === now + 60_000));
    assert.equal((await store().counters.countAttempt(key, now + 59_999, schedule)).allowed, false);
    const next = await store().counters.countAttempt(key, now + 60_000, schedule);
    assert.deepEqual(next, { allowed: true, failures: 4, lockedUntil: now + 60_000 + 120_000 });
    await store().counters.clearAttempts(key);
    assert.deepEqual(await store().counters.countAttempt(key, now, schedule), { allowed: true, failures: 1, lockedUntil: null });
    await store().counters.refundAttempt(key, now);
    await store().counters.refundAttempt(key, now);
    assert.deepEqual(await store().counters.countAttempt(key, now, schedule), { allowed: true, failures: 1, lockedUntil: null });
    const capKey = `user:${randomUUID()}`;
    let last;
    for (let i = 0; i < 8; i++) last = await store().counters.countAttempt(capKey, now + i * 1_000_000, schedule);
    assert.deepEqual(last, { allowed: true, failures: 8, lockedUntil: now + 7_000_000 + 240_000 });
  });

  it("applies a one-row lock schedule (one lock length for every count from its first)", async () => {
    const key = `user:${randomUUID()}`;
    const single = { rows: [{ failures: 2, lockSeconds: 30 }] };
    assert.deepEqual(await store().counters.countAttempt(key, now, single), { allowed: true, failures: 1, lockedUntil: null });
    assert.deepEqual(await store().counters.countAttempt(key, now, single), { allowed: true, failures: 2, lockedUntil: now + 30_000 });
    assert.deepEqual(await store().counters.countAttempt(key, now + 29_999, single), { allowed: false, lockedUntil: now + 30_000 });
    assert.deepEqual(await store().counters.countAttempt(key, now + 30_000, single), { allowed: true, failures: 3, lockedUntil: now + 60_000 });
  });

  it("counts in fixed windows atomically and starts a new window when one is over", async () => {
    const key = `sms-user:${randomUUID()}`;
    const counts = await Promise.all(Array.from({ length: 10 }, () => store().counters.countInWindow(key, now, 3600)));
    assert.deepEqual(counts.map((c) => c.count).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal((await store().counters.countInWindow(key, now + 3_599_999, 3600)).count, 11);
    assert.deepEqual(await store().counters.countInWindow(key, now + 3_600_000, 3600), { count: 1, windowStart: now + 3_600_000 });
  });
}
