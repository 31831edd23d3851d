/** Issue 7: the per-account password delay and the figures README states ("The password step"). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { defaultAccountPasswordThrottle, lockSchedule, lockSecondsAfter, maxAttemptsWithin } from "../../src/domain/throttle.js";

const day = 86_400;

describe("per-account password throttle", () => {
  const policy = defaultAccountPasswordThrottle;

  it("is what the configuration gives by default", () => {
    assert.deepEqual(parseConfig({ TWOSTEP_ENV: "test" }).accountPasswordThrottle, policy);
    assert.equal(parseConfig({ TWOSTEP_ENV: "test" }).knownBrowserDays, 180);
  });

  it("reads how long a known browser skips the delay from TWOSTEP_KNOWN_BROWSER_DAYS, and refuses the old name in one line naming the new one", () => {
    assert.equal(parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_KNOWN_BROWSER_DAYS: "30" }).knownBrowserDays, 30);
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_REMEMBERED_BROWSER_DAYS: "30" }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^TWOSTEP_REMEMBERED_BROWSER_DAYS is now TWOSTEP_KNOWN_BROWSER_DAYS\b[^\n]*$/);
      return true;
    });
  });

  it("lets 10 wrong passwords through, then waits 30 s, 1, 2, 4, 8 minutes and at most 15 minutes", () => {
    assert.deepEqual(Array.from({ length: 9 }, (_, i) => lockSecondsAfter(i + 1, policy)), Array(9).fill(0));
    assert.deepEqual([10, 11, 12, 13, 14, 15, 16, 100].map((n) => lockSecondsAfter(n, policy)), [30, 60, 120, 240, 480, 900, 900, 900]);
    assert.equal(lockSchedule(policy).length, 6);
  });

  it("gives an attacker at most 109 guesses the first day, 96 a day after, about 35,000 a year", () => {
    const firstDay = maxAttemptsWithin(day, policy);
    assert.equal(firstDay, 109);
    assert.equal(maxAttemptsWithin(2 * day, policy) - firstDay, 96);
    const year = maxAttemptsWithin(365 * day, policy);
    assert.ok(year > 34_000 && year < 36_000, `got ${year}`);
  });

  it("reaches 800-63B's 100 failures only after most of a day", () => {
    let elapsed = 0;
    for (let attempt = 1; attempt < 100; attempt++) elapsed += lockSecondsAfter(attempt, policy);
    assert.ok(elapsed > 0.75 * day && elapsed < day, `the 100th guess comes after ${elapsed} s`);
  });
});
