/**
 * Threat: a texted code that outlives its purpose — replayed on a later login
 * (read off a lock screen, a shared phone, a forwarded message), raced by
 * parallel requests so that one code yields several sessions (the recovery-
 * code race, and Pterodactyl CVE-2025-69197 for TOTP, with SMS), still valid
 * long after it was sent, or still valid after the user asked for a new one
 * (so every "send a new code" adds a live code to guess). twostep stores each
 * code with a 300 s expiry (at most 600 s by configuration), consumes it with
 * a conditional write, and a new code for the same login marks the previous
 * one used.
 * Covers SECURITY 24 ("expire within 10 minutes, single use, a resend
 * replaces the previous code") and 21's race, for SMS.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { smsFactor } from "../../src/services/factors/sms/factor.js";
import { apiPost, apiSessionFor } from "../helpers/enrol.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring } from "../helpers/sms.js";

const address = "198.51.100.51";

describe("security: an SMS code works once, expires, and a resend replaces it", () => {
  let t: TestApp;
  before(async () => {
    // A long login lifetime, so the SMS code's own 300 s expiry is what is tested, not the pending login's.
    t = await createTestApp({ env: { TWOSTEP_LOGIN_TTL_SECONDS: "3600", TWOSTEP_SMS_LIMIT_PER_NUMBER: "1000", TWOSTEP_SMS_LIMIT_PER_USER: "1000" } });
  });
  after(() => t.close());

  async function apiLogin(credentials: { email: string; password: string }) {
    const { result, code } = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", credentials, { address }));
    assert.equal(result.statusCode, 200, result.body);
    return { flowId: result.json().flowId as string, code };
  }
  const submit = (flowId: string, code: string) => apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address });
  const resend = (flowId: string) => oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login/resend", { flowId }, { address }));

  it("a used code does not complete a second login, and its own login cannot be completed twice", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(0) });
    const credentials = { email: sms.user.email, password: sms.password };
    const first = await apiLogin(credentials);
    const done = await submit(first.flowId, first.code);
    assert.equal(done.statusCode, 200, done.body);

    const replayOnSameLogin = await submit(first.flowId, first.code);
    assert.equal(replayOnSameLogin.statusCode, 401);
    assert.equal(replayOnSameLogin.json().code, "login_expired");

    t.clock.advance(31);
    let second = await apiLogin(credentials);
    // In one run in a million the new code equals the old one by chance: ask for another.
    while (second.code === first.code) {
      t.clock.advance(31);
      second = { ...second, code: (await resend(second.flowId)).code };
    }
    const replayOnNewLogin = await submit(second.flowId, first.code);
    assert.equal(replayOnNewLogin.statusCode, 401);
    assert.equal(replayOnNewLogin.json().code, "invalid_sms_code");
    assert.equal((await submit(second.flowId, second.code)).statusCode, 200, "the second login's own code works");
  });

  it("consumes a code at most once, even when asked directly twice", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(1) });
    const { result, code } = await oneCodeDuring(t.deps, () => startLogin(t.deps, { email: sms.user.email, password: sms.password }, { clientAddress: null, userAgent: "test" }));
    assert.ok(result.ok && result.kind === "second_factor");
    const method = (await t.deps.store.methods.findMethod(sms.methodId))!;
    const binding = { purpose: "login" as const, bindingId: result.flow.id };
    assert.equal(await smsFactor.verifyAndConsume(t.deps, t.deps.store, method, code, binding), true);
    assert.equal(await smsFactor.verifyAndConsume(t.deps, t.deps.store, method, code, binding), false);
    const row = await t.deps.store.codes.findLatestSmsCode(sms.methodId, "login", result.flow.id);
    assert.equal(row, undefined, "no unused code is left for that login");
  });

  it("10 parallel requests with the right code on one login: exactly one session", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(2) });
    const login = await apiLogin({ email: sms.user.email, password: sms.password });
    const responses = await Promise.all(Array.from({ length: 10 }, () => submit(login.flowId, login.code)));
    const statuses = responses.map((response) => response.statusCode).sort();
    assert.deepEqual(statuses, [200, 401, 401, 401, 401, 401, 401, 401, 401, 401], responses.map((response) => response.body).join("\n"));
    const tokens = responses.filter((response) => response.statusCode === 200).map((response) => response.json().sessionToken);
    assert.equal(tokens.length, 1);
    for (const response of responses.filter((r) => r.statusCode === 401)) assert.match(response.json().code, /^(login_expired|invalid_sms_code)$/);
    const sessions = (await t.deps.store.events.listEvents({ subjectUserId: sms.user.id, limit: 100 })).filter((event) => event.type === "login.succeeded" && event.detail.factor === "sms");
    assert.equal(sessions.length, 1, "one login, not several");
  });

  it("10 parallel confirmations of one SMS setup with its code: activated once", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password }, address);
    const begun = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(3) }, { token, address }));
    assert.equal(begun.result.statusCode, 200, begun.result.body);
    const methodId = begun.result.json().methodId as string;
    const responses = await Promise.all(Array.from({ length: 10 }, () => apiPost(t.app, `/api/me/two-factor/sms/${methodId}/confirm`, { code: begun.code }, { token, address })));
    const ok = responses.filter((response) => response.statusCode === 200);
    assert.equal(ok.length, 1, responses.map((response) => `${response.statusCode} ${response.body}`).join("\n"));
    assert.equal(ok[0]!.json().recoveryCodes.length, 10, "one set of recovery codes");
    // The others lose: the code is used (401), the setup is done (410), or their failures reached the lock (429).
    for (const response of responses.filter((r) => r.statusCode !== 200)) assert.ok([401, 410, 429].includes(response.statusCode), response.body);
    const methods = (await t.deps.store.methods.listMethods(user.id)).filter((method) => method.status === "active");
    assert.equal(methods.length, 1);
  });

  it("a code is refused once its 300 s are over, even on a login still open", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(4) });
    const credentials = { email: sms.user.email, password: sms.password };

    const justInTime = await apiLogin(credentials);
    t.clock.advance(299);
    assert.equal((await submit(justInTime.flowId, justInTime.code)).statusCode, 200, "works at 299 s");

    const late = await apiLogin(credentials);
    t.clock.advance(300);
    const expired = await submit(late.flowId, late.code);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, "invalid_sms_code", "the login is open; only the code has expired");
    assert.match(expired.json().message, /expired/);

    // A new code for the same login works.
    const fresh = await resend(late.flowId);
    assert.equal((await submit(late.flowId, fresh.code)).statusCode, 200);
  });

  it("an expired setup code is refused; a new one confirms the setup", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password }, address);
    const begun = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(5) }, { token, address }));
    const methodId = begun.result.json().methodId as string;
    t.clock.advance(301); // the setup itself lasts 600 s
    const expired = await apiPost(t.app, `/api/me/two-factor/sms/${methodId}/confirm`, { code: begun.code }, { token, address });
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, "invalid_sms_code");
    const resent = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/two-factor/sms/${methodId}/resend`, {}, { token, address }));
    assert.equal(resent.result.statusCode, 200, resent.result.body);
    assert.equal((await apiPost(t.app, `/api/me/two-factor/sms/${methodId}/confirm`, { code: resent.code }, { token, address })).statusCode, 200);
  });

  it("a resend replaces the previous code: the old one fails, the new one works", async () => {
    const sms = await enrolSms(t.deps, { phone: gbMobile(6) });
    const login = await apiLogin({ email: sms.user.email, password: sms.password });
    t.clock.advance(31);
    let newest = (await resend(login.flowId)).code;
    // In one run in a million the new code equals the old one by chance: ask again.
    while (newest === login.code) {
      t.clock.advance(31);
      newest = (await resend(login.flowId)).code;
    }
    const old = await submit(login.flowId, login.code);
    assert.equal(old.statusCode, 401);
    assert.equal(old.json().code, "invalid_sms_code");
    assert.equal((await submit(login.flowId, newest)).statusCode, 200);
  });

  it("a resend replaces the previous setup code too (pages), and the page says only the newest works", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app, "203.0.113.51");
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const begun = await oneCodeDuring(t.deps, () => browser.post("/settings/two-factor/sms", { password, phoneNumber: gbMobile(7) }, { csrfFrom: "/settings/two-factor/sms" }));
    const setupUrl = begun.result.headers.location as string;
    assert.match(setupUrl, /^\/settings\/two-factor\/sms\/[\w-]+$/);
    t.clock.advance(31);
    let newest = "";
    do {
      const resent = await oneCodeDuring(t.deps, () => browser.post(`${setupUrl}/resend`, {}, { csrfFrom: setupUrl }));
      assert.equal(resent.result.headers.location, `${setupUrl}?notice=code_sent`);
      newest = resent.code;
      t.clock.advance(31);
    } while (newest === begun.code);
    assert.match((await browser.get(`${setupUrl}?notice=code_sent`)).body, /Only the newest code works/);

    const old = await browser.post(setupUrl, { code: begun.code }, { csrfFrom: setupUrl });
    assert.equal(old.statusCode, 401);
    assert.match(old.body, /Use the code in the newest text message/);
    const confirmed = await browser.post(setupUrl, { code: newest }, { csrfFrom: setupUrl });
    assert.equal(confirmed.statusCode, 200);
    assert.match(confirmed.body, /Recovery codes/i);
  });

  it("refuses a configured code lifetime over 10 minutes", () => {
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_SMS_CODE_TTL_SECONDS: "601" }), ConfigError);
    assert.equal(parseConfig({ TWOSTEP_ENV: "test" }).sms.codeTtlSeconds, 300);
    assert.equal(parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_SMS_CODE_TTL_SECONDS: "600" }).sms.codeTtlSeconds, 600);
  });
});
