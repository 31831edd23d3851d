/** SECURITY 7–11: the lock schedule and the attacker success figure the docs state. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attackerSuccessProbability, defaultUserThrottle, lockSchedule, lockSecondsAfter, maxAttemptsWithin } from "../../src/domain/throttle.js";

describe("throttle", () => {
  it("allows the free failures, then doubles the lock up to the cap", () => {
    const policy = defaultUserThrottle;
    assert.deepEqual([1, 2, 3, 4].map((n) => lockSecondsAfter(n, policy)), [0, 0, 0, 0]);
    assert.deepEqual([5, 6, 7, 8, 9, 10, 11, 12, 50].map((n) => lockSecondsAfter(n, policy)), [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it("lists the schedule up to the cap for the store's single UPDATE", () => {
    const rows = lockSchedule(defaultUserThrottle);
    assert.equal(rows[0]!.failures, 5);
    assert.equal(rows.at(-1)!.lockSeconds, 3600);
    assert.equal(rows.length, 7);
  });

  it("gives the figures README states: ≤ 33 tries a day, ≈ 1e-4 a day with 3 accepted codes", () => {
    const perDay = maxAttemptsWithin(86_400, defaultUserThrottle);
    assert.equal(perDay, 33);
    const probability = attackerSuccessProbability(perDay, 3);
    assert.ok(probability < 1.0e-4, `got ${probability}`);
    const perYear = maxAttemptsWithin(365 * 86_400, defaultUserThrottle);
    assert.ok(attackerSuccessProbability(perYear, 3) < 0.03);
  });
});
