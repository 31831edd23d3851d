/**
 * Threat: an endpoint that checks a code or password but sits outside the
 * login's attempt limit becomes an unlimited guessing oracle — enrolment
 * confirmation, "regenerate recovery codes" with a code, disable with the
 * password. With a stolen session an attacker could guess the password there
 * (then disable 2FA) or guess TOTP codes. twostep counts every such check on
 * the same per-user counter as the login, so 5 failures anywhere lock them all.
 * Covers SECURITY 10 ("every endpoint that checks a code is throttled"), 7, 17.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiLoginWithCode, apiPost, apiSessionFor, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

describe("security: code checks outside the login are throttled too", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** A guaranteed wrong code for the ±1 window at the test clock's now. */
  const wrongCode = (keyBase32: string) => wrongCodeFor(keyBase32, t.clock.now());

  it("locks enrolment confirmation after 5 wrong codes, then refuses even the right one until the lock passes", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password });
    const setup = (await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token })).json() as { methodId: string; key: string };
    const confirm = (code: string) => apiPost(t.app, `/api/me/two-factor/totp/${setup.methodId}/confirm`, { code }, { token });

    for (let i = 0; i < 5; i++) assert.equal((await confirm(wrongCode(setup.key))).statusCode, 401, `wrong code ${i + 1}`);
    const locked = await confirm(codeFor(setup.key, t.clock.now()));
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, "locked_out");
    assert.equal((await t.deps.store.methods.listMethods(user.id))[0]!.status, "pending", "not enabled while locked");

    t.clock.advance(61);
    const after = await confirm(codeFor(setup.key, t.clock.now()));
    assert.equal(after.statusCode, 200, after.body);
  });

  it("shares one counter between enrolment on the pages, enrolment on the API and the password re-check", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password });
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = (await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token })).json() as { methodId: string; key: string };
    const setupUrl = `/settings/two-factor/setup/${setup.methodId}`;

    const failures = [
      (await apiPost(t.app, `/api/me/two-factor/totp/${setup.methodId}/confirm`, { code: wrongCode(setup.key) }, { token })).statusCode,
      (await browser.post(setupUrl, { code: wrongCode(setup.key) }, { csrfFrom: setupUrl })).statusCode,
      (await apiPost(t.app, "/api/me/two-factor/totp", { password: "not my password!" }, { token })).statusCode,
      (await browser.post("/settings/two-factor/setup", { password: "not my password!" }, { csrfFrom: "/settings/two-factor/setup" })).statusCode,
      (await browser.post(setupUrl, { code: wrongCode(setup.key) }, { csrfFrom: setupUrl })).statusCode,
    ];
    assert.deepEqual(failures, [401, 401, 401, 401, 401]);

    const page = await browser.post(setupUrl, { code: codeFor(setup.key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(page.statusCode, 429);
    assert.match(page.body, /Too many failed attempts/);
    assert.equal((await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token })).statusCode, 429, "the right password is refused too");
  });

  it("shares one counter between regenerate (code or password), disable and the login", async () => {
    const enrolled = await enrolTotp(t.deps);
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(30);
    const token = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    const flowId = await apiStartLogin(t.app, credentials);

    const failures = [
      (await apiPost(t.app, "/api/me/recovery-codes", { code: wrongCode(enrolled.keyBase32) }, { token })).statusCode,
      (await browser.post("/settings/recovery-codes", { code: wrongCode(enrolled.keyBase32) }, { csrfFrom: "/settings/recovery-codes" })).statusCode,
      (await apiPost(t.app, "/api/me/recovery-codes", { password: "not my password!" }, { token })).statusCode,
      (await apiPost(t.app, "/api/me/two-factor/disable", { password: "not my password!" }, { token })).statusCode,
      (await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongCode(enrolled.keyBase32) })).statusCode,
    ];
    assert.deepEqual(failures, [401, 401, 401, 401, 401]);

    // Locked everywhere, with right answers.
    t.clock.advance(30);
    const rightCode = codeFor(enrolled.keyBase32, t.clock.now());
    assert.equal((await apiPost(t.app, "/api/me/two-factor/disable", { password: enrolled.password }, { token })).statusCode, 429);
    const disablePage = await browser.post("/settings/two-factor/disable", { password: enrolled.password }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(disablePage.statusCode, 429);
    assert.equal((await apiPost(t.app, "/api/me/recovery-codes", { code: rightCode }, { token })).statusCode, 429);
    assert.equal((await apiPost(t.app, "/api/login/second-factor", { flowId, code: rightCode })).statusCode, 429);
    assert.equal((await t.deps.store.methods.listMethods(enrolled.user.id)).length, 1, "2FA is still on");

    t.clock.advance(61);
    assert.equal((await apiPost(t.app, "/api/me/two-factor/disable", { password: enrolled.password }, { token })).statusCode, 200);
  });

  it("locks regeneration by code after 5 wrong codes and keeps the old set", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const token = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, codeFor(enrolled.keyBase32, t.clock.now()));
    for (let i = 0; i < 5; i++) {
      assert.equal((await apiPost(t.app, "/api/me/recovery-codes", { code: wrongCode(enrolled.keyBase32) }, { token })).statusCode, 401);
    }
    t.clock.advance(30);
    const locked = await apiPost(t.app, "/api/me/recovery-codes", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { token });
    assert.equal(locked.statusCode, 429);
    assert.equal((await t.deps.store.codes.findRecoveryCodes(enrolled.user.id))!.codes.length, 10);
  });
});
