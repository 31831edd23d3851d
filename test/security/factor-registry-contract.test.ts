/**
 * Threat: a factor added to the registry that skips what the flows rely on —
 * one that lets junk through to the counted check (or throws on it, a 500
 * instead of a 400 naming the field), or one whose proof can be replayed
 * (SECURITY 4, 21). The login flow, step-up, reset and delete call every
 * factor through the same interface and trust it on both points, so each
 * registered factor must honour them: this suite runs over the registry
 * (junk, replay, a challenge's binding and expiry, throttling), and
 * a new factor is tested the moment its line is added (its `worlds` entry
 * below is a compile error until it exists).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Method, MethodType } from "../../src/domain/model.js";
import type { ChallengeBinding, Factor } from "../../src/services/factors/factor.js";
import { registeredFactors } from "../../src/services/factors/registry.js";
import { reauthenticate } from "../../src/services/sessions/reauthenticate.js";
import type { Authenticated } from "../../src/services/sessions/sessions.js";
import { takeAttempt } from "../../src/services/throttle/throttle.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring } from "../helpers/sms.js";
import { codeFor } from "../helpers/totp.js";
import { userWithKey } from "../helpers/security-keys.js";

const context = { clientAddress: null, userAgent: "contract" };
const junk: unknown[] = [undefined, null, 123456, {}, [], "", "abc", "12345", "1234567", "12a456", "1".repeat(10_000), { code: "123456" }];

/** For each factor: an enrolled method, and a right proof for `binding` (after its challenge, if it has one). */
type World = (t: TestApp, index: number) => Promise<{ method: Method; rightProof: (binding: ChallengeBinding) => Promise<unknown> }>;
const worlds: Record<MethodType, World> = {
  totp: async (t) => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30); // past the step the enrolment claimed
    const method = (await t.deps.store.methods.findMethod(enrolled.methodId))!;
    return { method, rightProof: async () => codeFor(enrolled.keyBase32, t.clock.now()) };
  },
  sms: async (t, index) => {
    const enrolled = await enrolSms(t.deps, { phone: gbMobile(index) });
    const method = (await t.deps.store.methods.findMethod(enrolled.methodId))!;
    return {
      method,
      rightProof: async (binding) =>
        (await oneCodeDuring(t.deps, () => factorChallenge(t, method, binding))).code,
    };
  },
  webauthn: async (t) => {
    const who = await userWithKey(t.app, t.deps);
    const method = (await t.deps.store.methods.findMethod(who.methodId))!;
    return {
      method,
      rightProof: async (binding) => {
        const started = await factorChallenge(t, method, binding);
        assert.ok(started?.ok && started.browserOptions, "a key's challenge carries the browser's options");
        return who.key.authenticate(started.browserOptions as Record<string, unknown>);
      },
    };
  },
};

/** The factor's own challenge for `binding` (texts a code, or gives a key's options). */
async function factorChallenge(t: TestApp, method: Method, binding: ChallengeBinding) {
  const user = (await t.deps.store.accounts.findUserById(method.userId))!;
  return registeredFactors().find((factor) => factor.type === method.type)!.startChallenge(t.deps, { user, method, binding, context });
}

describe("security: every registered factor honours the factor contract", () => {
  let t: TestApp;
  before(async () => {
    // A 20-second first lock: a TOTP code taken before it is still inside the ±1 step window after it.
    t = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "1000", TWOSTEP_SMS_LIMIT_PER_USER: "1000", TWOSTEP_USER_LOCK_BASE_SECONDS: "20" } });
  });
  after(() => t.close());

  registeredFactors().forEach((factor: Factor, index) => {
    describe(factor.type, () => {
      it("refuses junk proofs with a failure naming the field, never throwing", () => {
        for (const input of junk) {
          const parsed = factor.parseProof(input);
          assert.equal(parsed.ok, false, `${JSON.stringify(input)?.slice(0, 20)} is refused`);
          assert.ok(!parsed.ok && parsed.field, "the failure names the field");
        }
      });

      it("accepts its own right proof exactly once (consumed in the same write)", async () => {
        const { method, rightProof } = await worlds[factor.type](t, index);
        const binding: ChallengeBinding = { purpose: "verify", bindingId: `contract-${factor.type}` };
        const parsed = factor.parseProof(await rightProof(binding));
        assert.ok(parsed.ok, "the right proof is well formed");
        assert.equal(await factor.verifyAndConsume(t.deps, t.deps.store, method, parsed.proof, binding), true);
        const again = (await t.deps.store.methods.findMethod(method.id))!;
        assert.equal(await factor.verifyAndConsume(t.deps, t.deps.store, again, parsed.proof, binding), false, "a replay fails");
      });

      // A factor without a challenge (TOTP: its code is bound by time and the method's last step,
      // which the replay case covers) is reported as skipped for the challenge cases, never passed silently.
      const noChallenge = factor.type === "totp" ? "TOTP issues no challenge (startChallenge answers null, checked below)" : false;

      it("a factor without a challenge says so: startChallenge answers null", { skip: noChallenge ? false : `${factor.type} issues a challenge (the cases below)` }, async () => {
        const { method } = await worlds[factor.type](t, index + 5);
        const user = (await t.deps.store.accounts.findUserById(method.userId))!;
        assert.equal(await factor.startChallenge(t.deps, { user, method, binding: { purpose: "login", bindingId: "contract-flow" }, context }), null);
      });

      it("a challenge expires in the future, and a proof answered after it expired fails", { skip: noChallenge }, async () => {
        const { method, rightProof } = await worlds[factor.type](t, index + 8);
        const user = (await t.deps.store.accounts.findUserById(method.userId))!;
        const binding: ChallengeBinding = { purpose: "login", bindingId: `contract-expiry-${factor.type}` };
        const started = await factor.startChallenge(t.deps, { user, method, binding, context });
        assert.ok(started?.ok, "the challenge starts");
        assert.ok(started.expiresAt > t.clock.now(), "it expires in the future");
        assert.ok(started.expiresAt <= t.clock.now() + 600_000, "within 10 minutes (SECURITY 24)");
        t.clock.advance(31); // past the resend wait: the proof's challenge replaces this one
        const parsed = factor.parseProof(await rightProof(binding));
        assert.ok(parsed.ok);
        t.clock.advance(601); // past any challenge's life
        assert.equal(await factor.verifyAndConsume(t.deps, t.deps.store, method, parsed.proof, binding), false, "an expired challenge's proof fails");
      });

      it("a challenge is bound to what asked: its proof fails under another binding, and still works under its own", { skip: noChallenge }, async () => {
        const { method, rightProof } = await worlds[factor.type](t, index + 11);
        const own: ChallengeBinding = { purpose: "login", bindingId: `contract-own-${factor.type}` };
        const parsed = factor.parseProof(await rightProof(own));
        assert.ok(parsed.ok);
        const others: ChallengeBinding[] = [
          { purpose: "login", bindingId: `contract-other-${factor.type}` },
          { purpose: "verify", bindingId: own.bindingId },
          { purpose: "enrol", bindingId: own.bindingId },
        ];
        for (const other of others) {
          const current = (await t.deps.store.methods.findMethod(method.id))!;
          assert.equal(await factor.verifyAndConsume(t.deps, t.deps.store, current, parsed.proof, other), false, `refused under ${JSON.stringify(other)}`);
        }
        const current = (await t.deps.store.methods.findMethod(method.id))!;
        assert.equal(await factor.verifyAndConsume(t.deps, t.deps.store, current, parsed.proof, own), true, "the other bindings spent nothing of its own");
      });

      it("throttling: while the user is locked out, even a right proof is refused and not spent (counted before verifying)", async () => {
        const { method, rightProof } = await worlds[factor.type](t, index + 14);
        const user = (await t.deps.store.accounts.findUserById(method.userId))!;
        const account = (await t.deps.store.accounts.findAccountById(user.accountId))!;
        const session = { id: `contract-session-${factor.type}`, userId: user.id, authenticatedAt: t.clock.now(), createdAt: t.clock.now() };
        const auth = { user, account, session } as unknown as Authenticated;
        const proof = await rightProof({ purpose: "verify", bindingId: session.id });
        // Failures counted until the user's counter locks (5 free failures by default).
        let taken = 0;
        while ((await takeAttempt(t.deps, t.deps.store, user.id, context)).ok) assert.ok(++taken < 50, "the counter locks");
        // The proof travels in the field its factor names, as the pages and the API send it.
        const input = { [factor.proofField]: proof };
        const locked = await reauthenticate(t.deps, auth, input, context);
        assert.equal(!locked.ok && locked.code, "locked_out", "a right proof during a lock is refused");
        t.clock.advance(21); // the first lock is 20 seconds here
        assert.deepEqual(await reauthenticate(t.deps, auth, input, context), { ok: true }, "the proof was not spent by the refused try");
      });

      it("says where its proof goes and how the pages ask for it: a typed code in `code`, a browser prompt in `credential`", () => {
        assert.ok(["code", "credential"].includes(factor.proofField));
        assert.equal(factor.presentation, factor.proofField === "credential" ? "browser_prompt" : "code_field");
        for (const input of junk) {
          const parsed = factor.parseProof(input);
          assert.ok(!parsed.ok && parsed.field === factor.proofField, "a malformed proof is reported on the factor's own field");
        }
      });

      it("has its words and a catalogue code for a wrong proof", () => {
        const view = { id: "m", type: factor.type, name: "My method", isDefault: true, createdAt: 0, lastUsedAt: null, displayHint: null };
        assert.ok(factor.words.label && factor.words.deviceNoun && factor.wrongProof);
        assert.ok(factor.words.secondStepPrompt(view).before && factor.words.switchLabel(view) && factor.words.verifyPrompt(view));
      });
    });
  });
});
