/** Store conformance: remembered browsers (issue 7), by token hash, bound to a user, with expiry and a per-user cap. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { browsersPerUser } from "../../../src/store/kysely/remembered-browsers.js";
import { type ConformanceContext, now } from "./fixtures.js";

export function rememberedBrowsersConformance(context: ConformanceContext) {
  const store = () => context.store;
  const day = 86_400_000;

  it("finds a live browser's user by token hash, and nothing once it has expired or for another hash", async () => {
    const user = await context.user();
    const tokenHash = `hash-${randomUUID()}`;
    await store().browsers.rememberBrowser({ tokenHash, userId: user.id, createdAt: now, expiresAt: now + day });
    assert.deepEqual(await store().browsers.findRememberedBrowser(tokenHash, now + day - 1), { userId: user.id });
    assert.equal(await store().browsers.findRememberedBrowser(tokenHash, now + day), null, "expired at expiresAt");
    assert.equal(await store().browsers.findRememberedBrowser(`hash-${randomUUID()}`, now), null);
  });

  it("drops a user's expired browsers and keeps only the newest ones when it remembers another", async () => {
    const user = await context.user();
    const other = await context.user();
    const expired = `hash-${randomUUID()}`;
    await store().browsers.rememberBrowser({ tokenHash: expired, userId: user.id, createdAt: now, expiresAt: now + day });
    const othersBrowser = `hash-${randomUUID()}`;
    await store().browsers.rememberBrowser({ tokenHash: othersBrowser, userId: other.id, createdAt: now, expiresAt: now + day });
    const hashes: string[] = [];
    for (let i = 0; i <= browsersPerUser; i++) {
      const tokenHash = `hash-${randomUUID()}`;
      hashes.push(tokenHash);
      await store().browsers.rememberBrowser({ tokenHash, userId: user.id, createdAt: now + day + i, expiresAt: now + 100 * day });
    }
    // Looked up before the first one's expiry, so only the cleanup can have removed it.
    assert.equal(await store().browsers.findRememberedBrowser(expired, now), null, "the expired row is gone");
    assert.equal(await store().browsers.findRememberedBrowser(hashes[0]!, now + day), null, "the oldest beyond the cap is gone");
    for (const tokenHash of hashes.slice(1)) assert.deepEqual(await store().browsers.findRememberedBrowser(tokenHash, now + day), { userId: user.id });
    assert.deepEqual(await store().browsers.findRememberedBrowser(othersBrowser, now), { userId: other.id }, "another user's browsers stay");

    await store().browsers.forgetUserBrowsers(user.id);
    for (const tokenHash of hashes) assert.equal(await store().browsers.findRememberedBrowser(tokenHash, now + day), null);
    assert.deepEqual(await store().browsers.findRememberedBrowser(othersBrowser, now), { userId: other.id });
  });
}
