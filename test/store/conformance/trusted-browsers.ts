/** Store conformance: trusted browsers (L7), by token hash, bound to a user, listed, forgotten one by one or all, with expiry and a per-user cap. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { trustedBrowsersPerUser } from "../../../src/store/kysely/trusted-browsers.js";
import { type ConformanceContext, now } from "./fixtures.js";

export function trustedBrowsersConformance(context: ConformanceContext) {
  const store = () => context.store.trustedBrowsers;
  const day = 86_400_000;
  const browser = (userId: string, createdAt = now, expiresAt = now + 30 * day) => ({ tokenHash: `hash-${randomUUID()}`, userId, label: "Firefox on Linux", createdAt, expiresAt });

  it("finds a live browser by token hash with its user and label, and nothing once it has expired or for another hash", async () => {
    const user = await context.user();
    const trusted = browser(user.id, now, now + day);
    await store().trustBrowser(trusted);
    assert.deepEqual(await store().findTrustedBrowser(trusted.tokenHash, now + day - 1), trusted);
    assert.equal(await store().findTrustedBrowser(trusted.tokenHash, now + day), null, "expired at expiresAt");
    assert.equal(await store().findTrustedBrowser(`hash-${randomUUID()}`, now), null);
  });

  it("lists a user's live browsers newest first, never another user's or an expired one", async () => {
    const user = await context.user();
    const other = await context.user();
    const older = browser(user.id, now, now + 30 * day);
    const newer = browser(user.id, now + 1, now + 30 * day);
    const expiring = browser(user.id, now + 2, now + day);
    for (const row of [older, newer, expiring, browser(other.id)]) await store().trustBrowser(row);
    assert.deepEqual(await store().listTrustedBrowsers(user.id, now + 2), [expiring, newer, older]);
    assert.deepEqual(await store().listTrustedBrowsers(user.id, now + day), [newer, older], "the expired one is not listed");
  });

  it("forgets one browser only for its own user, and all of a user's browsers at once", async () => {
    const user = await context.user();
    const other = await context.user();
    const first = browser(user.id);
    const second = browser(user.id, now + 1);
    const others = browser(other.id);
    for (const row of [first, second, others]) await store().trustBrowser(row);
    assert.equal(await store().forgetTrustedBrowser(other.id, first.tokenHash), false, "another user cannot forget it");
    assert.deepEqual(await store().findTrustedBrowser(first.tokenHash, now), first);
    assert.equal(await store().forgetTrustedBrowser(user.id, first.tokenHash), true);
    assert.equal(await store().findTrustedBrowser(first.tokenHash, now), null);
    assert.equal(await store().forgetTrustedBrowser(user.id, first.tokenHash), false, "only once");
    assert.equal(await store().forgetUserTrustedBrowsers(user.id), 1);
    assert.equal(await store().findTrustedBrowser(second.tokenHash, now), null);
    assert.deepEqual(await store().findTrustedBrowser(others.tokenHash, now), others, "another user's browser stays");
  });

  it("drops a user's expired browsers and keeps only the newest ones when it remembers another", async () => {
    const user = await context.user();
    const expired = browser(user.id, now, now + day);
    await store().trustBrowser(expired);
    const rows = Array.from({ length: trustedBrowsersPerUser + 1 }, (_, i) => browser(user.id, now + day + i, now + 100 * day));
    for (const row of rows) await store().trustBrowser(row);
    assert.equal(await store().findTrustedBrowser(expired.tokenHash, now), null, "the expired row is gone");
    assert.equal(await store().findTrustedBrowser(rows[0]!.tokenHash, now + day), null, "the oldest beyond the cap is gone");
    assert.equal((await store().listTrustedBrowsers(user.id, now + day)).length, trustedBrowsersPerUser);
  });
}
