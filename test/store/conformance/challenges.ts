/** Store conformance: WebAuthn challenges (single use, bound, short-lived) and a key's signature counter. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { IssuedChallenge } from "../../../src/store/ports/challenges.js";
import { type ConformanceContext, now } from "./fixtures.js";

export function challengesConformance(context: ConformanceContext) {
  const store = () => context.store;
  const issued = (userId: string, extra: Partial<IssuedChallenge> = {}): IssuedChallenge => ({
    id: randomUUID(),
    userId,
    purpose: "login",
    bindingId: randomUUID(),
    challengeHash: randomUUID(),
    createdAt: now,
    expiresAt: now + 60_000,
    ...extra,
  });
  const key = (challenge: IssuedChallenge) => ({ userId: challenge.userId, purpose: challenge.purpose, bindingId: challenge.bindingId, challengeHash: challenge.challengeHash });

  it("consumes a challenge once, also when ten callers race for it", async () => {
    const owner = await context.user();
    const challenge = issued(owner.id);
    await store().challenges.replaceChallenge(challenge);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().challenges.consumeChallenge(key(challenge), now + 1)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal(await store().challenges.consumeChallenge(key(challenge), now + 2), false, "spent");
  });

  it("consumes only for the same user, purpose and binding, and only before it expires", async () => {
    const owner = await context.user();
    const stranger = await context.user();
    const challenge = issued(owner.id);
    await store().challenges.replaceChallenge(challenge);
    assert.equal(await store().challenges.consumeChallenge({ ...key(challenge), userId: stranger.id }, now), false);
    assert.equal(await store().challenges.consumeChallenge({ ...key(challenge), purpose: "verify" }, now), false);
    assert.equal(await store().challenges.consumeChallenge({ ...key(challenge), bindingId: randomUUID() }, now), false);
    assert.equal(await store().challenges.consumeChallenge({ ...key(challenge), challengeHash: randomUUID() }, now), false);
    assert.equal(await store().challenges.consumeChallenge(key(challenge), challenge.expiresAt), false, "expired at its expiry");
    const fresh = issued(owner.id);
    await store().challenges.replaceChallenge(fresh);
    assert.equal(await store().challenges.consumeChallenge(key(fresh), fresh.expiresAt - 1), true);
  });

  it("a new challenge for the same binding retires the old one; other bindings keep theirs", async () => {
    const owner = await context.user();
    const first = issued(owner.id);
    const elsewhere = issued(owner.id, { purpose: "verify" });
    await store().challenges.replaceChallenge(first);
    await store().challenges.replaceChallenge(elsewhere);
    const second = issued(owner.id, { bindingId: first.bindingId });
    await store().challenges.replaceChallenge(second);
    assert.equal(await store().challenges.consumeChallenge(key(first), now), false, "the older prompt no longer counts");
    assert.equal(await store().challenges.consumeChallenge(key(second), now), true);
    assert.equal(await store().challenges.consumeChallenge(key(elsewhere), now), true);
  });

  it("deletes a user's stale challenges only", async () => {
    const owner = await context.user();
    const other = await context.user();
    await store().challenges.replaceChallenge(issued(owner.id, { expiresAt: now + 10 }));
    const live = issued(owner.id, { expiresAt: now + 1000 });
    await store().challenges.replaceChallenge(live);
    const theirs = issued(other.id, { expiresAt: now + 10 });
    await store().challenges.replaceChallenge(theirs);
    assert.equal(await store().challenges.deleteStaleChallenges(owner.id, now + 100), 1);
    assert.equal(await store().challenges.consumeChallenge(key(live), now + 100), true, "the live one stays");
    assert.equal(await store().challenges.consumeChallenge(key(theirs), now + 5), true, "another user's stays");
  });

  it("moves a key's signature counter only upwards, once per value under a race; 0 stays 0 for keys without a counter", async () => {
    const owner = await context.user();
    const counted = context.method(owner.id, { type: "webauthn", credentialId: `cred-${randomUUID()}`, lastUsedStep: 5 });
    await store().methods.insertMethod(counted);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().methods.claimSignatureCounter(counted.id, 6, now)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal(await store().methods.claimSignatureCounter(counted.id, 6, now), false, "the same counter again");
    assert.equal(await store().methods.claimSignatureCounter(counted.id, 3, now), false, "a lower counter (a clone)");
    assert.equal(await store().methods.claimSignatureCounter(counted.id, 9, now + 1), true);
    const after = await store().methods.findMethod(counted.id);
    assert.equal(after?.lastUsedStep, 9);
    assert.equal(after?.lastUsedAt, now + 1);

    const uncounted = context.method(owner.id, { type: "webauthn", credentialId: `cred-${randomUUID()}`, lastUsedStep: 0 });
    await store().methods.insertMethod(uncounted);
    assert.equal(await store().methods.claimSignatureCounter(uncounted.id, 0, now), true);
    assert.equal(await store().methods.claimSignatureCounter(uncounted.id, 0, now), true, "no counter: the single-use challenge is what stops a replay");
    const pending = context.method(owner.id, { type: "webauthn", status: "pending", credentialId: `cred-${randomUUID()}` });
    await store().methods.insertMethod(pending);
    assert.equal(await store().methods.claimSignatureCounter(pending.id, 1, now), false, "a pending key never verifies");
  });

  it("finds a method by its credential id, for any user, and holds one key as one method only", async () => {
    const owner = await context.user();
    const other = await context.user();
    const credentialId = `cred-${randomUUID()}`;
    const method = context.method(owner.id, { type: "webauthn", credentialId });
    await store().methods.insertMethod(method);
    assert.equal((await store().methods.findMethodByCredentialId(credentialId))?.id, method.id);
    assert.equal(await store().methods.findMethodByCredentialId(`cred-${randomUUID()}`), undefined);
    await assert.rejects(store().methods.insertMethod(context.method(other.id, { type: "webauthn", credentialId })), "the same credential id twice is refused by the database");
  });
}
