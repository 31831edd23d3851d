/**
 * The Store contract, run against every implementation (Lucia's
 * `testAdapter` idea): SQLite today, PostgreSQL with the same suite later.
 * The single-use operations are raced with Promise.all: exactly one wins.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Account, Method, User } from "../../src/domain/model.js";
import { lockSchedule } from "../../src/domain/throttle.js";
import type { Store } from "../../src/store/store.js";

export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

const now = 1_795_000_000_000;
const schedule = { rows: lockSchedule({ freeFailures: 3, baseLockSeconds: 60, maxLockSeconds: 240 }) };
const client = { clientAddress: "192.0.2.1", userAgent: "conformance" };

export function runStoreConformance(name: string, open: () => Promise<StoreUnderTest>) {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    before(async () => {
      subject = await open();
      store = subject.store;
    });
    after(() => subject.close());

    async function account(kind: Account["kind"] = "reseller", parentId: string | null = null): Promise<Account> {
      const created: Account = { id: randomUUID(), kind, name: `acct ${randomUUID()}`, parentId, createdAt: now };
      await store.insertAccount(created);
      return created;
    }

    async function user(): Promise<User> {
      const owner = await account();
      const created: User = {
        id: randomUUID(),
        accountId: owner.id,
        email: `${randomUUID()}@example.test`,
        displayName: "Test",
        role: "member",
        passwordHash: "$argon2id$stub",
        active: true,
        createdAt: now,
      };
      await store.insertUser(created);
      return created;
    }

    function method(userId: string, extra: Partial<Method> = {}): Method {
      return {
        id: randomUUID(),
        userId,
        type: "totp",
        name: "Authenticator app",
        status: "active",
        isDefault: false,
        secretCiphertext: "v1.k.iv.tag.body",
        lastUsedStep: null,
        replacesMethodId: null,
        createdAt: now,
        confirmedAt: now,
        lastUsedAt: null,
        pendingExpiresAt: null,
        displayHint: null,
        ...extra,
      };
    }

    it("stores and finds accounts and users; emails are unique", async () => {
      const created = await user();
      assert.deepEqual(await store.findUserById(created.id), created);
      assert.deepEqual(await store.findUserByEmail(created.email), created);
      assert.equal(await store.findUserByEmail("nobody@example.test"), undefined);
      await assert.rejects(store.insertUser({ ...created, id: randomUUID() }));
      const found = await store.findAccountById(created.accountId);
      assert.equal(found?.id, created.accountId);
      assert.equal((await store.findAccountByName(found!.name))?.id, found!.id);
      await store.updatePasswordHash(created.id, "$argon2id$new");
      assert.equal((await store.findUserById(created.id))?.passwordHash, "$argon2id$new");
    });

    it("rolls a transaction back when its work throws", async () => {
      const created = await user();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertMethod(method(created.id));
          throw new Error("crash halfway");
        }),
      );
      assert.deepEqual(await store.listMethods(created.id), []);
    });

    it("returns policy layers in the order asked, skipping missing ones", async () => {
      const platform = await account("platform");
      const reseller = await account("reseller", platform.id);
      await store.savePolicyLayer(reseller.id, "own_users", { requireTwoFactorFrom: 5, allowedMethods: ["totp"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: true }, now);
      await store.savePolicyLayer(platform.id, "reseller_users", { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "keep", rotatePasswordOnDisable: null }, now);
      await store.savePolicyLayer(platform.id, "reseller_users", { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "disable", rotatePasswordOnDisable: false }, now);
      const layers = await store.findPolicyLayers([
        { accountId: platform.id, audience: "reseller_users" },
        { accountId: platform.id, audience: "customer_users" },
        { accountId: reseller.id, audience: "own_users" },
      ]);
      assert.deepEqual(layers, [
        { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "disable", rotatePasswordOnDisable: false },
        { requireTwoFactorFrom: 5, allowedMethods: ["totp"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: true },
      ]);
    });

    it("activates a pending method once, makes it the default, and retires the method it replaces", async () => {
      const owner = await user();
      const old = method(owner.id, { isDefault: true });
      await store.insertMethod(old);
      const pending = method(owner.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now + 1000, replacesMethodId: old.id });
      await store.insertMethod(pending);
      const results = await Promise.all([store.activateMethod(pending.id, 7, now), store.activateMethod(pending.id, 7, now)]);
      assert.deepEqual(results.sort(), [false, true]);
      const methods = await store.listMethods(owner.id);
      assert.equal(methods.length, 1);
      assert.equal(methods[0]!.id, pending.id);
      assert.equal(methods[0]!.isDefault, true);
      assert.equal(methods[0]!.lastUsedStep, 7);
    });

    it("does not activate an expired pending method", async () => {
      const owner = await user();
      const pending = method(owner.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now });
      await store.insertMethod(pending);
      assert.equal(await store.activateMethod(pending.id, 1, now), false);
    });

    it("claims a TOTP step once, and never a lower or equal one (replay)", async () => {
      const owner = await user();
      const active = method(owner.id);
      await store.insertMethod(active);
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.claimTotpStep(active.id, 100, now)));
      assert.equal(racers.filter(Boolean).length, 1);
      assert.equal(await store.claimTotpStep(active.id, 99, now), false);
      assert.equal(await store.claimTotpStep(active.id, 101, now), true);
      const pending = method(owner.id, { status: "pending" });
      await store.insertMethod(pending);
      assert.equal(await store.claimTotpStep(pending.id, 1, now), false, "a pending method never verifies a login");
    });

    it("deletes pending, single and all methods", async () => {
      const owner = await user();
      const a = method(owner.id);
      await store.insertMethod(a);
      await store.insertMethod(method(owner.id, { status: "pending" }));
      await store.deletePendingMethods(owner.id);
      assert.equal((await store.listMethods(owner.id)).length, 1);
      assert.equal((await store.findMethod(a.id))?.id, a.id);
      await store.deleteMethod(a.id);
      assert.equal(await store.findMethod(a.id), undefined);
      await store.insertMethod(method(owner.id));
      await store.deleteAllMethods(owner.id);
      assert.deepEqual(await store.listMethods(owner.id), []);
    });

    it("replaces recovery codes as a set and consumes each once, even when raced", async () => {
      const owner = await user();
      await store.replaceRecoveryCodes(owner.id, "salt-1", [{ id: randomUUID(), codeHash: "h1" }], now);
      const codes = [{ id: randomUUID(), codeHash: "a" }, { id: randomUUID(), codeHash: "b" }];
      await store.replaceRecoveryCodes(owner.id, "salt-2", codes, now);
      const set = await store.findRecoveryCodes(owner.id);
      assert.equal(set?.salt, "salt-2");
      assert.deepEqual(set?.codes.map((code) => code.codeHash).sort(), ["a", "b"]);
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.consumeRecoveryCode(codes[0]!.id, now)));
      assert.equal(racers.filter(Boolean).length, 1);
      assert.equal((await store.findRecoveryCodes(owner.id))?.codes.find((code) => code.id === codes[0]!.id)?.usedAt, now);
      await store.deleteRecoveryCodes(owner.id);
      assert.equal(await store.findRecoveryCodes(owner.id), undefined);
    });

    it("finds live sessions by token hash only, and revokes them", async () => {
      const owner = await user();
      const session = (id: string) => ({ id, userId: owner.id, createdAt: now, expiresAt: now + 1000, authenticatedAt: now, recoveryCodeUsed: true });
      await store.insertSession(session("s1"), "hash-1", client);
      await store.insertSession(session("s2"), "hash-2", client);
      await store.insertSession(session("s3"), "hash-3", client);
      assert.equal((await store.findSessionByTokenHash("hash-1", now))?.id, "s1");
      assert.equal(await store.findSessionByTokenHash("hash-1", now + 1000), undefined, "expired");
      await store.markSessionAuthenticated("s1", now + 5);
      const marked = await store.findSessionByTokenHash("hash-1", now);
      assert.equal(marked?.authenticatedAt, now + 5);
      assert.equal(marked?.recoveryCodeUsed, false);
      await store.revokeUserSessions(owner.id, now, "s1");
      assert.ok(await store.findSessionByTokenHash("hash-1", now));
      assert.equal(await store.findSessionByTokenHash("hash-2", now), undefined);
      await store.revokeSession("s1", now);
      assert.equal(await store.findSessionByTokenHash("hash-1", now), undefined);
    });

    it("completes a login flow once, and never after it expired", async () => {
      const owner = await user();
      const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: null, createdAt: now, expiresAt: now + 1000 };
      await store.insertLoginFlow(flow, `flow-${flow.id}`);
      await store.setLoginFlowMethod(flow.id, "m1");
      assert.equal((await store.findLoginFlowByTokenHash(`flow-${flow.id}`))?.methodId, "m1");
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.completeLoginFlow(flow.id, now)));
      assert.equal(racers.filter(Boolean).length, 1);
      const late = { ...flow, id: randomUUID() };
      await store.insertLoginFlow(late, `flow-${late.id}`);
      assert.equal(await store.completeLoginFlow(late.id, now + 1000), false);
    });

    it("counts attempts atomically, locks on schedule, refunds and clears", async () => {
      const key = `user:${randomUUID()}`;
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.countAttempt(key, now, schedule)));
      const allowed = racers.filter((result) => result.allowed);
      assert.equal(allowed.length, 3, "three free failures, then the lock holds even for racing requests");
      assert.ok(racers.some((result) => !result.allowed && result.lockedUntil === now + 60_000));
      assert.equal((await store.countAttempt(key, now + 59_999, schedule)).allowed, false);
      const next = await store.countAttempt(key, now + 60_000, schedule);
      assert.deepEqual(next, { allowed: true, failures: 4, lockedUntil: now + 60_000 + 120_000 });
      await store.clearAttempts(key);
      assert.deepEqual(await store.countAttempt(key, now, schedule), { allowed: true, failures: 1, lockedUntil: null });
      await store.refundAttempt(key, now);
      await store.refundAttempt(key, now);
      assert.deepEqual(await store.countAttempt(key, now, schedule), { allowed: true, failures: 1, lockedUntil: null });
      const capKey = `user:${randomUUID()}`;
      let last;
      for (let i = 0; i < 8; i++) last = await store.countAttempt(capKey, now + i * 1_000_000, schedule);
      assert.deepEqual(last, { allowed: true, failures: 8, lockedUntil: now + 7_000_000 + 240_000 });
    });

    it("switches the default among a user's own active methods, renames and marks use", async () => {
      const owner = await user();
      const stranger = await user();
      const a = method(owner.id, { isDefault: true });
      const b = method(owner.id);
      const pending = method(owner.id, { status: "pending" });
      const foreign = method(stranger.id);
      for (const m of [a, b, pending, foreign]) await store.insertMethod(m);
      assert.equal(await store.setDefaultMethod(owner.id, b.id), true);
      assert.equal(await store.setDefaultMethod(owner.id, pending.id), false);
      assert.equal(await store.setDefaultMethod(owner.id, foreign.id), false);
      const methods = await store.listMethods(owner.id);
      assert.deepEqual(methods.filter((m) => m.isDefault).map((m) => m.id), [b.id]);
      await store.renameMethod(a.id, "Work phone");
      await store.markMethodUsed(a.id, now + 9);
      const renamed = await store.findMethod(a.id);
      assert.equal(renamed?.name, "Work phone");
      assert.equal(renamed?.lastUsedAt, now + 9);
    });

    it("replaces SMS codes per binding and consumes each once, never after expiry", async () => {
      const owner = await user();
      const sms = method(owner.id, { type: "sms", displayHint: "+44 •••••••123" });
      await store.insertMethod(sms);
      assert.equal((await store.findMethod(sms.id))?.displayHint, "+44 •••••••123");
      const code = (id: string, bindingId: string, createdAt = now) => ({
        id,
        userId: owner.id,
        methodId: sms.id,
        purpose: "login" as const,
        bindingId,
        codeHash: `hash-${id}`,
        createdAt,
        expiresAt: createdAt + 1000,
        usedAt: null,
      });
      await store.replaceSmsCode(code("c1", "flow-a"), now);
      await store.replaceSmsCode(code("other", "flow-b"), now);
      await store.replaceSmsCode(code("c2", "flow-a", now + 1), now + 1);
      assert.equal((await store.findLatestSmsCode(sms.id, "login", "flow-a"))?.id, "c2", "a resend replaces the earlier code");
      assert.equal(await store.consumeSmsCode("c1", now + 2), false, "the replaced code is dead");
      assert.equal((await store.findLatestSmsCode(sms.id, "login", "flow-b"))?.id, "other", "other bindings are untouched");
      assert.equal(await store.findLatestSmsCode(sms.id, "enrol", "flow-a"), undefined);
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.consumeSmsCode("c2", now + 2)));
      assert.equal(racers.filter(Boolean).length, 1);
      assert.equal(await store.findLatestSmsCode(sms.id, "login", "flow-a"), undefined);
      assert.equal(await store.consumeSmsCode("other", now + 1000), false, "expired");
    });

    it("counts in fixed windows atomically and starts a new window when one is over", async () => {
      const key = `sms-user:${randomUUID()}`;
      const counts = await Promise.all(Array.from({ length: 10 }, () => store.countInWindow(key, now, 3600)));
      assert.deepEqual(counts.map((c) => c.count).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal((await store.countInWindow(key, now + 3_599_999, 3600)).count, 11);
      assert.deepEqual(await store.countInWindow(key, now + 3_600_000, 3600), { count: 1, windowStart: now + 3_600_000 });
    });

    it("keeps the development outbox, newest first", async () => {
      await store.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: "+447400123456", subject: null, body: "first", createdAt: now });
      await store.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: "+447400123456", subject: null, body: "second", createdAt: now + 1 });
      const messages = await store.listOutboxMessages(2);
      assert.deepEqual(messages.map((m) => m.body), ["second", "first"]);
    });

    it("appends events and lists them newest first, by subject or account", async () => {
      const owner = await user();
      for (let i = 0; i < 3; i++) {
        await store.appendEvent({
          id: randomUUID(),
          accountId: owner.accountId,
          actorUserId: owner.id,
          subjectUserId: owner.id,
          type: "login.succeeded",
          detail: { n: i, factor: "totp", ok: true },
          clientAddress: "192.0.2.1",
          userAgent: "ua",
          createdAt: now + i,
        });
      }
      const events = await store.listEvents({ subjectUserId: owner.id, limit: 2 });
      assert.deepEqual(events.map((event) => event.detail.n), [2, 1]);
      assert.deepEqual(events[0]!.detail, { n: 2, factor: "totp", ok: true });
      assert.equal((await store.listEvents({ accountId: owner.accountId, limit: 10 })).length, 3);
    });
  });
}
