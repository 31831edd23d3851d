/**
 * Threat: an attacker who has the password spreads second-factor guesses over
 * several surfaces (HTML form, JSON API, recovery-code form) so that each
 * surface's own counter stays below its limit. twostep keeps ONE failure
 * counter per user, on the server, shared by every surface and every factor;
 * after 5 failures the user is locked (60 s, doubling to 1 h) and even the
 * right code is refused until the lock passes; a success clears the counter.
 * Covers SECURITY 7 and 8 ("success clears it"), L4 and L6.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

describe("security: brute force spread across surfaces", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** A guaranteed wrong code for the ±1 window at the test clock's now. */
  const wrongCode = (keyBase32: string) => wrongCodeFor(keyBase32, t.clock.now());

  /** The three surfaces, each with its own pending login, from different addresses. */
  async function surfaces(enrolled: EnrolledUser) {
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    const browser = new FormClient(t.app, "203.0.113.21");
    const started = await browser.post("/login", credentials, { csrfFrom: "/login" });
    assert.equal(started.headers.location, "/login/two-factor");
    const flowId = await apiStartLogin(t.app, credentials, "198.51.100.21");
    return {
      pageCode: (code: string) => browser.post("/login/two-factor", { code }, { csrfFrom: "/login/two-factor" }),
      pageRecovery: (code: string) => browser.post("/login/recovery", { code }, { csrfFrom: "/login/recovery" }),
      apiCode: (code: string) => apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address: "198.51.100.21" }),
      apiRecovery: (code: string) => apiPost(t.app, "/api/login/recovery-code", { flowId, code }, { address: "198.51.100.21" }),
    };
  }

  const bogusRecoveryCode = "ZZZZ-ZZZZ-ZZZZ-ZZZZ";

  it("locks after 5 failures spread over pages, API and the recovery-code form", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const s = await surfaces(enrolled);

    const failures: LightMyRequestResponse[] = [
      await s.pageCode(wrongCode(enrolled.keyBase32)),
      await s.apiCode(wrongCode(enrolled.keyBase32)),
      await s.pageRecovery(bogusRecoveryCode),
      await s.apiRecovery(bogusRecoveryCode),
      await s.pageCode(wrongCode(enrolled.keyBase32)),
    ];
    assert.deepEqual(
      failures.map((response) => response.statusCode),
      [401, 401, 401, 401, 401],
      "the first 5 failures are evaluated",
    );

    // Locked now: every surface refuses, even with a right code or an unused recovery code.
    const rightCode = codeFor(enrolled.keyBase32, t.clock.now());
    const whileLocked = [
      await s.apiCode(rightCode),
      await s.pageCode(rightCode),
      await s.apiRecovery(enrolled.recoveryCodes[0]!),
      await s.pageRecovery(enrolled.recoveryCodes[1]!),
    ];
    assert.deepEqual(
      whileLocked.map((response) => response.statusCode),
      [429, 429, 429, 429],
    );
    assert.equal(whileLocked[0]!.json().code, "locked_out");
    assert.match(whileLocked[1]!.body, /Too many failed attempts/);
    assert.equal(whileLocked[2]!.json().code, "locked_out");

    t.clock.advance(30);
    assert.equal((await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 429, "still locked 30 s in");
    t.clock.advance(31);
    const afterLock = await s.apiRecovery(enrolled.recoveryCodes[0]!);
    assert.equal(afterLock.statusCode, 200, afterLock.body);
    assert.equal(afterLock.json().recovery.codesLeft, 9, "the codes offered while locked were not consumed");
  });

  it("doubles the lock on each further failure", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const s = await surfaces(enrolled);
    for (let i = 0; i < 5; i++) assert.equal((await s.apiCode(wrongCode(enrolled.keyBase32))).statusCode, 401);
    assert.equal((await s.apiCode(wrongCode(enrolled.keyBase32))).statusCode, 429);

    t.clock.advance(61); // first lock (60 s) over: one more failure locks for 120 s
    assert.equal((await s.pageCode(wrongCode(enrolled.keyBase32))).statusCode, 401);
    const locked = await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()));
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().retryAfterSeconds, 120);
    t.clock.advance(61);
    assert.equal((await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 429, "the second lock is longer than the first");
    t.clock.advance(60);
    assert.equal((await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 200);
  });

  it("clears the counter on success", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    let s = await surfaces(enrolled);
    for (let i = 0; i < 4; i++) assert.equal((await s.pageCode(wrongCode(enrolled.keyBase32))).statusCode, 401);
    assert.equal((await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 200, "the 5th attempt is right");

    // Five fresh failures are allowed again before the lock; the sixth attempt is refused.
    t.clock.advance(30);
    s = await surfaces(enrolled);
    for (let i = 0; i < 5; i++) assert.equal((await s.apiCode(wrongCode(enrolled.keyBase32))).statusCode, 401, `failure ${i + 1} after success`);
    assert.equal((await s.pageCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 429);
  });

  it("does not count a malformed code (format is checked first) but counts a well-formed wrong one", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const s = await surfaces(enrolled);
    for (let i = 0; i < 10; i++) assert.equal((await s.apiCode("12ab56")).statusCode, 400);
    for (let i = 0; i < 10; i++) assert.equal((await s.apiRecovery("ABCD-EFGH-!")).statusCode, 400);
    for (let i = 0; i < 4; i++) assert.equal((await s.apiCode(wrongCode(enrolled.keyBase32))).statusCode, 401);
    assert.equal((await s.apiCode(codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 200);
  });
});
