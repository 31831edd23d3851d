/**
 * P1 through pages and API: a requirement dated yesterday takes a user without
 * 2FA from the password straight to enrolment (no session until the codes are
 * shown); one dated next week lets the login through and shows the deadline.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage, recoveryCodesFromPage } from "../helpers/totp.js";

const day = 24 * 60 * 60 * 1000;

describe("mandatory 2FA (P1)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const activeMethods = async (userId: string) => (await t.deps.store.methods.listMethods(userId)).filter((method) => method.status === "active");

  it("pages, dated yesterday: the password leads to enrolment only; the session comes after the codes are saved", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - day } });
    const browser = new FormClient(t.app);
    let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/login/enrol");
    assert.equal(browser.cookies.has("twostep_session"), false);
    for (const url of ["/", "/login", "/login/two-factor", "/login/recovery", "/settings/security"]) {
      assert.equal((await browser.get(url)).headers.location, "/login/enrol", url);
    }
    response = await browser.get("/login/enrol");
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /Two-factor authentication is mandatory for your account since/);
    response = await browser.post("/login/enrol/totp", {}, { csrfFrom: "/login/enrol" });
    const setupUrl = String(response.headers.location);
    assert.match(setupUrl, /^\/login\/enrol\/totp\/[0-9a-f-]{36}$/);
    const key = keyFromSetupPage((await browser.get(setupUrl)).body);
    response = await browser.post(setupUrl, { code: "000000" === codeFor(key, t.clock.now()) ? "111111" : "000000" }, { csrfFrom: setupUrl });
    assert.equal(response.statusCode, 401, "a wrong code is refused on the form");
    response = await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(response.statusCode, 200);
    assert.equal(recoveryCodesFromPage(response.body).length, 10);
    assert.equal(browser.cookies.has("twostep_session"), false, "no session while the codes are on screen");
    assert.equal((await browser.get("/settings/security")).headers.location, "/login/enrol");
    response = await browser.post("/login/enrol/continue", {}, { csrf: await browser.csrfFor() });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_enabled");
    assert.ok(browser.cookies.has("twostep_session"));
    assert.equal(browser.cookies.has("twostep_login"), false);
    response = await browser.get("/settings/security");
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /status-on/);
    assert.equal((await activeMethods(user.id)).length, 1);
    // The flow is spent: continuing again gives nothing.
    const replay = await t.app.inject({ method: "POST", url: "/login/enrol/continue", payload: "", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.notEqual(replay.statusCode, 200);
  });

  it("API, dated yesterday: enrolment_required with a flowId; confirm answers the codes and the session", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer", policy: { requireTwoFactorFrom: t.clock.now() - day } });
    const api = new ApiClient(t.app);
    const login = await api.post("/api/login", { email: user.email, password });
    assert.equal(login.status, 200, login.raw.body);
    assert.equal(login.body.status, "enrolment_required");
    assert.equal(login.body.sessionToken, undefined);
    assert.deepEqual(login.body.allowedMethods, ["totp", "webauthn"], "M5: a customer's policy still applies");
    const flowId = login.body.flowId as string;
    const blocked = await api.get("/api/me/security", flowId);
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.code, "two_factor_enrolment_required");
    const second = await api.post("/api/login/second-factor", { flowId, code: "123456" });
    assert.equal(second.body.code, "two_factor_enrolment_required");
    const sms = await api.post("/api/login/enrol/sms", { flowId, phoneNumber: "+447400123456" });
    assert.equal(sms.body.code, "method_not_allowed_by_policy");
    const begun = await api.post("/api/login/enrol/totp", { flowId });
    assert.equal(begun.status, 200, begun.raw.body);
    const confirmed = await api.post(`/api/login/enrol/totp/${begun.body.methodId}/confirm`, { flowId, code: codeFor(begun.body.key, t.clock.now()) });
    assert.equal(confirmed.status, 200, confirmed.raw.body);
    assert.equal(confirmed.body.status, "authenticated");
    assert.equal(confirmed.body.recoveryCodes.length, 10);
    assert.notEqual(confirmed.body.sessionToken, flowId, "a new token, not the flow's");
    const me = await api.get("/api/me/security", confirmed.body.sessionToken);
    assert.equal(me.status, 200);
    assert.equal(me.body.twoFactorEnabled, true);
    assert.equal(me.body.twoFactorDeadline, undefined);
    // The flow is spent: a second confirmation or setup does nothing.
    assert.equal((await api.post("/api/login/enrol/totp", { flowId })).body.code, "login_expired");
    // The next login goes through the second step as usual.
    assert.equal((await api.post("/api/login", { email: user.email, password })).body.status, "second_factor_required");
  });

  it("dated next week: the login completes and shows the deadline and 'Set up now' (pages and API)", async () => {
    const deadline = Date.UTC(2026, 10, 29);
    const { user, password } = await seedUser(t.deps, { policy: { requireTwoFactorFrom: deadline } });
    const api = new ApiClient(t.app);
    const login = await api.post("/api/login", { email: user.email, password });
    assert.equal(login.body.status, "authenticated");
    assert.equal(login.body.twoFactorDeadline, new Date(deadline).toISOString());
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");
    const page = (await browser.get("/settings/security")).body;
    assert.match(page, /Two-factor authentication will become mandatory for your account starting <time[^>]*>29 November 2026<\/time>/);
    assert.match(page, /<a class="button primary" href="\/settings\/two-factor\/setup">Set up now<\/a>/);
  });

  it("the earliest layer wins: a reseller's rule for its customers dated yesterday beats the account's next month", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer", policy: { requireTwoFactorFrom: t.clock.now() + 30 * day } });
    const account = (await t.deps.store.accounts.findAccountById(user.accountId))!;
    await t.deps.store.accounts.savePolicyLayer(account.parentId!, "customer_users", { requireTwoFactorFrom: t.clock.now() - day, allowedMethods: null, recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null }, t.clock.now());
    const login = await new ApiClient(t.app).post("/api/login", { email: user.email, password });
    assert.equal(login.body.status, "enrolment_required");
  });

  it("a user with 2FA meets the usual second step, before and after the date", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - day } });
    const api = new ApiClient(t.app);
    const flowId = (await api.post("/api/login", { email: user.email, password })).body.flowId as string;
    const begun = await api.post("/api/login/enrol/totp", { flowId });
    const confirmed = await api.post(`/api/login/enrol/totp/${begun.body.methodId}/confirm`, { flowId, code: codeFor(begun.body.key, t.clock.now()) });
    assert.equal(confirmed.status, 200);
    t.clock.advance(30);
    const again = await api.post("/api/login", { email: user.email, password });
    assert.equal(again.body.status, "second_factor_required");
    const done = await api.post("/api/login/second-factor", { flowId: again.body.flowId, code: codeFor(begun.body.key, t.clock.now()) });
    assert.equal(done.status, 200, done.raw.body);
  });
});
