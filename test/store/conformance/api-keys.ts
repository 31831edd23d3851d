/** Store conformance: API keys (API1) by hash only, usable while live and their user active, touched cheaply, revoked once even when raced. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function apiKeysConformance(context: ConformanceContext) {
  const store = () => context.store;
  const minute = 60_000;
  const insert = async (userId: string, input: { createdAt?: number; expiresAt?: number } = {}) => {
    const key = { id: randomUUID(), userId, name: "deploy", keyHash: `hash-${randomUUID()}`, displayPrefix: "tsk_abcd2345", last4: "WXYZ", createdAt: input.createdAt ?? now, expiresAt: input.expiresAt ?? now + 30 * minute };
    await store().apiKeys.insertApiKey(key);
    return key;
  };

  it("finds a live key by its hash, lists the user's keys newest first, and never returns the hash", async () => {
    const user = await context.user();
    const older = await insert(user.id);
    const newer = await insert(user.id, { createdAt: now + 1 });
    const found = await store().apiKeys.findUsableApiKey(older.keyHash, now);
    assert.equal(found?.id, older.id);
    assert.deepEqual(found, { id: older.id, userId: user.id, name: "deploy", displayPrefix: "tsk_abcd2345", last4: "WXYZ", createdAt: now, lastUsedAt: null, expiresAt: older.expiresAt, revokedAt: null, revokedByUserId: null });
    assert.deepEqual((await store().apiKeys.listUserApiKeys(user.id)).map((key) => key.id), [newer.id, older.id]);
    assert.ok(!JSON.stringify(await store().apiKeys.listUserApiKeys(user.id)).includes("hash-"));
    assert.equal(await store().apiKeys.findUsableApiKey(`hash-${randomUUID()}`, now), undefined);
  });

  it("refuses a key at and after its expiry, and a key of an inactive user", async () => {
    const user = await context.user();
    const key = await insert(user.id, { expiresAt: now + minute });
    assert.ok(await store().apiKeys.findUsableApiKey(key.keyHash, now + minute - 1));
    assert.equal(await store().apiKeys.findUsableApiKey(key.keyHash, now + minute), undefined);
    const other = await insert(user.id);
    await store().accounts.setUserActive(user.id, false);
    assert.equal(await store().apiKeys.findUsableApiKey(other.keyHash, now), undefined, "deactivated user");
    await store().accounts.setUserActive(user.id, true);
    assert.ok(await store().apiKeys.findUsableApiKey(other.keyHash, now), "reactivated");
  });

  it("records a use at most once a minute", async () => {
    const user = await context.user();
    const key = await insert(user.id);
    await store().apiKeys.touchApiKey(key.id, now + 1000);
    await store().apiKeys.touchApiKey(key.id, now + 2000);
    assert.equal((await store().apiKeys.findApiKeyById(key.id))?.lastUsedAt, now + 1000);
    await store().apiKeys.touchApiKey(key.id, now + 1000 + minute);
    assert.equal((await store().apiKeys.findApiKeyById(key.id))?.lastUsedAt, now + 1000 + minute);
  });

  it("revokes a key once, even when ten requests race, and a revoked key no longer works", async () => {
    const user = await context.user();
    const key = await insert(user.id);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().apiKeys.revokeApiKey(key.id, user.id, now + 1)));
    assert.equal(racers.filter(Boolean).length, 1);
    const revoked = await store().apiKeys.findApiKeyById(key.id);
    assert.equal(revoked?.revokedAt, now + 1);
    assert.equal(revoked?.revokedByUserId, user.id);
    assert.equal(await store().apiKeys.findUsableApiKey(key.keyHash, now + 2), undefined);
    assert.equal(await store().apiKeys.revokeApiKey(randomUUID(), user.id, now), false);
  });
}
