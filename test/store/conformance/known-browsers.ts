/** Store conformance: known browsers (issue 7: they skip the password delay), by token hash, bound to a user, with expiry and a per-user cap. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { knownBrowsersPerUser } from "../../../src/store/kysely/known-browsers.js";
import { type ConformanceContext, now } from "./fixtures.js";

export function knownBrowsersConformance(context: ConformanceContext) {
  const store = () => context.store;
  const day = 86_400_000;

  it("finds a live browser's user by token hash, and nothing once it has expired or for another hash", async () => {
    const user = await context.user();
    const tokenHash = `hash-${randomUUID()}`;
    await store().knownBrowsers.recordKnownBrowser({ tokenHash, userId: user.id, createdAt: now, expiresAt: now + day });
    assert.deepEqual(await store().knownBrowsers.findKnownBrowser(tokenHash, now + day - 1), { userId: user.id });
    assert.equal(await store().knownBrowsers.findKnownBrowser(tokenHash, now + day), null, "expired at expiresAt");
    assert.equal(await store().knownBrowsers.findKnownBrowser(`hash-${randomUUID()}`, now), null);
  });

  it("drops a user's expired browsers and keeps only the newest ones when it remembers another", async () => {
    const user = await context.user();
    const other = await context.user();
    const expired = `hash-${randomUUID()}`;
    await store().knownBrowsers.recordKnownBrowser({ tokenHash: expired, userId: user.id, createdAt: now, expiresAt: now + day });
    const othersBrowser = `hash-${randomUUID()}`;
    await store().knownBrowsers.recordKnownBrowser({ tokenHash: othersBrowser, userId: other.id, createdAt: now, expiresAt: now + day });
    const hashes: string[] = [];
    for (let i = 0; i <= knownBrowsersPerUser; i++) {
      const tokenHash = `hash-${randomUUID()}`;
      hashes.push(tokenHash);
      await store().knownBrowsers.recordKnownBrowser({ tokenHash, userId: user.id, createdAt: now + day + i, expiresAt: now + 100 * day });
    }
    // Looked up before the first one's expiry, so only the cleanup can have removed it.
    assert.equal(await store().knownBrowsers.findKnownBrowser(expired, now), null, "the expired row is gone");
    assert.equal(await store().knownBrowsers.findKnownBrowser(hashes[0]!, now + day), null, "the oldest beyond the cap is gone");
    for (const tokenHash of hashes.slice(1)) assert.deepEqual(await store().knownBrowsers.findKnownBrowser(tokenHash, now + day), { userId: user.id });
    assert.deepEqual(await store().knownBrowsers.findKnownBrowser(othersBrowser, now), { userId: other.id }, "another user's browsers stay");

    await store().knownBrowsers.forgetUserKnownBrowsers(user.id);
    for (const tokenHash of hashes) assert.equal(await store().knownBrowsers.findKnownBrowser(tokenHash, now + day), null);
    assert.deepEqual(await store().knownBrowsers.findKnownBrowser(othersBrowser, now), { userId: other.id });
  });
}
