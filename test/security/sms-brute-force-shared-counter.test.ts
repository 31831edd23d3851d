/**
 * Threat: an attacker who has the password guesses the texted 6-digit code,
 * spreading guesses over surfaces (pages, JSON API) and factors (SMS, TOTP,
 * recovery codes) so that no one counter reaches its limit — the "AuthQuake"
 * pattern, with SMS as the extra factor to spread over. twostep keeps ONE
 * failure counter per user on the server: a wrong SMS code counts on the same
 * counter as a wrong TOTP or recovery code, whichever surface sent it. After
 * 5 failures the user is locked (429) even for the right SMS code and for
 * TOTP, and the lock is written to the event log.
 * Covers SECURITY 7 (and 12 for the event).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { enrolSms, enrolTotpAndSms, gbMobile, oneCodeDuring, wrongSmsCode } from "../helpers/sms.js";
import { codeFor } from "../helpers/totp.js";

describe("security: SMS codes share the per-user failure counter", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const apiAddress = "198.51.100.31";
  const pageAddress = "203.0.113.31";

  /** An API login and a page login of the same user, from two addresses, each with its texted code. */
  async function twoSurfaces(credentials: { email: string; password: string }) {
    const api = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", credentials, { address: apiAddress }));
    assert.equal(api.result.statusCode, 200, api.result.body);
    const flowId = api.result.json().flowId as string;
    assert.equal(api.result.json().codeDelivery.status, "sent");

    const browser = new FormClient(t.app, pageAddress);
    const page = await oneCodeDuring(t.deps, () => browser.post("/login", credentials, { csrfFrom: "/login" }));
    assert.equal(page.result.headers.location, "/login/two-factor");
    return {
      apiCode: api.code,
      pageCode: page.code,
      api: (code: string, methodId?: string) => apiPost(t.app, "/api/login/second-factor", { flowId, code, ...(methodId ? { methodId } : {}) }, { address: apiAddress }),
      page: (code: string, methodId?: string) => browser.post("/login/two-factor", { code, ...(methodId ? { methodId } : {}) }, { csrfFrom: "/login/two-factor" }),
      pageRecovery: (code: string) => browser.post("/login/recovery", { code }, { csrfFrom: "/login/recovery" }),
      apiRecovery: (code: string) => apiPost(t.app, "/api/login/recovery-code", { flowId, code }, { address: apiAddress }),
    };
  }

  const statuses = (responses: LightMyRequestResponse[]) => responses.map((response) => response.statusCode);

  it("counts wrong SMS codes from the API and the pages on one counter, then refuses even the right code", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(0) });
    const s = await twoSurfaces({ email: sms.user.email, password: sms.password });
    const wrong = wrongSmsCode(s.apiCode, s.pageCode);

    const failures = [await s.api(wrong), await s.page(wrong), await s.api(wrong), await s.page(wrong), await s.api(wrong)];
    assert.deepEqual(statuses(failures), [401, 401, 401, 401, 401], "each wrong SMS code is evaluated and refused as such");
    assert.equal(failures[0]!.json().code, "invalid_sms_code");
    assert.match(failures[1]!.body, /That code didn(?:'|&#39;|&#x27;)t work or has expired/);

    // Locked: the right code of either login is refused, on both surfaces, and not used up.
    const locked = [await s.api(s.apiCode), await s.page(s.pageCode)];
    assert.deepEqual(statuses(locked), [429, 429]);
    assert.equal(locked[0]!.json().code, "locked_out");
    assert.ok(locked[0]!.json().retryAfterSeconds > 0);
    assert.match(locked[1]!.body, /Too many failed attempts/);

    t.clock.advance(61);
    const afterLock = await s.api(s.apiCode);
    assert.equal(afterLock.statusCode, 200, afterLock.body);
    assert.equal(afterLock.json().status, "authenticated", "the code offered while locked was not consumed");
  });

  it("adds up a mix of SMS, TOTP and recovery-code failures, and the lock then holds for every factor", async () => {
    const both = await enrolTotpAndSms(t.deps, t.clock, { phone: gbMobile(1) });
    const s = await twoSurfaces({ email: both.user.email, password: both.password });
    const now = t.clock.now();
    const totpWindow = [-1, 0, 1].map((offset) => codeFor(both.keyBase32, now, offset));
    const wrong = wrongSmsCode(s.apiCode, s.pageCode, ...totpWindow);

    const failures = [
      await s.api(wrong), // SMS (the default method), API
      await s.api(wrong, both.totpMethodId), // TOTP, API
      await s.page(wrong), // SMS, page
      await s.pageRecovery("ZZZZ-ZZZZ-ZZZZ-ZZZZ"), // recovery code, page
      await s.page(wrong, both.totpMethodId), // TOTP, page
    ];
    assert.deepEqual(statuses(failures), [401, 401, 401, 401, 401]);
    assert.equal(failures[0]!.json().code, "invalid_sms_code");
    assert.equal(failures[1]!.json().code, "invalid_code");

    const locked = [
      await s.api(s.apiCode),
      await s.api(codeFor(both.keyBase32, t.clock.now()), both.totpMethodId),
      await s.page(codeFor(both.keyBase32, t.clock.now()), both.totpMethodId),
      await s.apiRecovery(both.recoveryCodes[0]!),
    ];
    assert.deepEqual(statuses(locked), [429, 429, 429, 429]);
    for (const response of [locked[0]!, locked[1]!, locked[3]!]) assert.equal(response.json().code, "locked_out");
  });

  it("five wrong SMS codes lock TOTP, and five wrong TOTP codes lock SMS", async () => {
    const smsFirst = await enrolTotpAndSms(t.deps, t.clock, { phone: gbMobile(2) });
    let s = await twoSurfaces({ email: smsFirst.user.email, password: smsFirst.password });
    let totpWindow = [-1, 0, 1].map((offset) => codeFor(smsFirst.keyBase32, t.clock.now(), offset));
    for (let i = 0; i < 5; i++) assert.equal((await s.api(wrongSmsCode(s.apiCode, s.pageCode, ...totpWindow))).statusCode, 401, `SMS failure ${i + 1}`);
    assert.equal((await s.api(codeFor(smsFirst.keyBase32, t.clock.now()), smsFirst.totpMethodId)).statusCode, 429, "TOTP is locked by SMS failures");

    const totpFirst = await enrolTotpAndSms(t.deps, t.clock, { phone: gbMobile(3) });
    s = await twoSurfaces({ email: totpFirst.user.email, password: totpFirst.password });
    totpWindow = [-1, 0, 1].map((offset) => codeFor(totpFirst.keyBase32, t.clock.now(), offset));
    for (let i = 0; i < 5; i++) {
      const response = await s.page(wrongSmsCode(s.apiCode, s.pageCode, ...totpWindow), totpFirst.totpMethodId);
      assert.equal(response.statusCode, 401, `TOTP failure ${i + 1}`);
    }
    assert.equal((await s.api(s.apiCode)).statusCode, 429, "SMS (API) is locked by TOTP failures");
    assert.equal((await s.page(s.pageCode)).statusCode, 429, "SMS (page) is locked by TOTP failures");
  });

  it("records each SMS failure and the lock in the user's event log, without the code", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(4) });
    const s = await twoSurfaces({ email: sms.user.email, password: sms.password });
    const wrong = wrongSmsCode(s.apiCode, s.pageCode);
    for (let i = 0; i < 5; i++) await s.api(wrong);

    const events = await t.deps.store.events.listEvents({ subjectUserId: sms.user.id, limit: 100 });
    const failed = events.filter((event) => event.type === "login.second_factor_failed");
    assert.equal(failed.length, 5);
    for (const event of failed) assert.deepEqual(event.detail, { factor: "sms" });
    assert.equal(events.filter((event) => event.type === "login.locked_out").length, 1, "the fifth failure starts a lock, and says so");
    const everything = JSON.stringify(events);
    for (const code of [wrong, s.apiCode, s.pageCode]) assert.ok(!everything.includes(code), "no code in the event log");
  });

  it("clears the counter when the right SMS code succeeds", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(5) });
    let s = await twoSurfaces({ email: sms.user.email, password: sms.password });
    for (let i = 0; i < 4; i++) assert.equal((await s.page(wrongSmsCode(s.apiCode, s.pageCode))).statusCode, 401);
    assert.equal((await s.api(s.apiCode)).statusCode, 200, "the fifth attempt is right");

    t.clock.advance(31);
    s = await twoSurfaces({ email: sms.user.email, password: sms.password });
    for (let i = 0; i < 5; i++) assert.equal((await s.api(wrongSmsCode(s.apiCode, s.pageCode))).statusCode, 401, `failure ${i + 1} after the success`);
    assert.equal((await s.page(s.pageCode)).statusCode, 429);
  });
});
