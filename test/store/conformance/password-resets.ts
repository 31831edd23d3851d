/** Store conformance: password reset links (PR1), by token hash, bound to a user, expiring, used once even when raced. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function passwordResetsConformance(context: ConformanceContext) {
  const store = () => context.store;
  const minute = 60_000;
  const insert = async (userId: string, expiresAt = now + 30 * minute, purpose: "reset" | "invitation" = "reset") => {
    const tokenHash = `hash-${randomUUID()}`;
    await store().passwordResets.insertPasswordReset({ id: randomUUID(), userId, tokenHash, purpose, createdAt: now, expiresAt });
    return tokenHash;
  };

  it("finds a live link's user without using it, and consumes it once, even when ten requests race", async () => {
    const user = await context.user();
    const tokenHash = await insert(user.id);
    assert.deepEqual(await store().passwordResets.findLivePasswordReset(tokenHash, now), { userId: user.id, purpose: "reset" });
    assert.deepEqual(await store().passwordResets.findLivePasswordReset(tokenHash, now), { userId: user.id, purpose: "reset" }, "finding does not use it");
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().passwordResets.consumePasswordReset(tokenHash, now + 1)));
    assert.deepEqual(racers.filter(Boolean), [{ userId: user.id, purpose: "reset" }], "exactly one racer wins");
    assert.equal(await store().passwordResets.consumePasswordReset(tokenHash, now + 2), null, "used once");
    assert.equal(await store().passwordResets.findLivePasswordReset(tokenHash, now + 2), null);
  });

  it("keeps what a link is for: an invitation reads back as one when found and when used", async () => {
    const user = await context.user();
    const tokenHash = await insert(user.id, now + 7 * 24 * 60 * minute, "invitation");
    assert.deepEqual(await store().passwordResets.findLivePasswordReset(tokenHash, now), { userId: user.id, purpose: "invitation" });
    assert.deepEqual(await store().passwordResets.consumePasswordReset(tokenHash, now + 1), { userId: user.id, purpose: "invitation" });
  });

  it("refuses a link at and after its expiry, and a hash nobody stored", async () => {
    const user = await context.user();
    const tokenHash = await insert(user.id, now + minute);
    assert.equal(await store().passwordResets.findLivePasswordReset(tokenHash, now + minute), null);
    assert.equal(await store().passwordResets.consumePasswordReset(tokenHash, now + minute), null, "expired at expiresAt");
    assert.deepEqual(await store().passwordResets.consumePasswordReset(tokenHash, now + minute - 1), { userId: user.id, purpose: "reset" }, "usable until then");
    assert.equal(await store().passwordResets.consumePasswordReset(`hash-${randomUUID()}`, now), null);
  });

  it("retires every unused link of one user and no other user's", async () => {
    const user = await context.user();
    const other = await context.user();
    const first = await insert(user.id);
    const second = await insert(user.id);
    const others = await insert(other.id);
    await store().passwordResets.retireUserPasswordResets(user.id, now + 1);
    assert.equal(await store().passwordResets.consumePasswordReset(first, now + 2), null);
    assert.equal(await store().passwordResets.consumePasswordReset(second, now + 2), null);
    assert.deepEqual(await store().passwordResets.consumePasswordReset(others, now + 2), { userId: other.id, purpose: "reset" });
  });
}
