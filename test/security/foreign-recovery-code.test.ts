/**
 * Threat: the second step accepts another user's factor — a recovery code is
 * looked up among *all* codes, or a method id / user id sent by the client
 * picks whose secret is checked. An attacker who knows user A's password and
 * owns account B then passes A's second step with B's code. twostep binds the
 * pending login to A on the server and looks codes up only among A's.
 * Covers SECURITY 22 and 6 ("no user id sent by the client is trusted").
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

describe("security: another user's factor in my login", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("refuses user B's recovery code in user A's login, on the API and the pages, and leaves it unused", async () => {
    const victim = await enrolTotp(t.deps);
    const attacker = await enrolTotp(t.deps);
    const flowId = await apiStartLogin(t.app, { email: victim.user.email, password: victim.password });

    for (const code of attacker.recoveryCodes.slice(0, 2)) {
      const response = await apiPost(t.app, "/api/login/recovery-code", { flowId, code });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, "invalid_recovery_code");
    }
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: victim.user.email, password: victim.password }, { csrfFrom: "/login" });
    const page = await browser.post("/login/recovery", { code: attacker.recoveryCodes[2]! }, { csrfFrom: "/login/recovery" });
    assert.equal(page.statusCode, 401);
    assert.equal(browser.cookies.has("twostep_session"), false);

    // B's codes were not spent by A's login, and B can still use them for B.
    const attackerFlow = await apiStartLogin(t.app, { email: attacker.user.email, password: attacker.password });
    const own = await apiPost(t.app, "/api/login/recovery-code", { flowId: attackerFlow, code: attacker.recoveryCodes[0]! });
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().recovery.codesLeft, 9);
  });

  it("refuses user B's TOTP method and code in user A's login, even when B's method id is named", async () => {
    const victim = await enrolTotp(t.deps);
    const attacker = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: victim.user.email, password: victim.password });
    const attackerCode = codeFor(attacker.keyBase32, t.clock.now());

    const plain = await apiPost(t.app, "/api/login/second-factor", { flowId, code: attackerCode });
    assert.equal(plain.statusCode, 401);
    const named = await apiPost(t.app, "/api/login/second-factor", { flowId, code: attackerCode, methodId: attacker.methodId });
    assert.notEqual(named.statusCode, 200);
    assert.equal(named.json().code, "invalid_request");
    const switched = await apiPost(t.app, "/api/login/method", { flowId, methodId: attacker.methodId });
    assert.equal(switched.statusCode, 400, "cannot switch A's login to B's method");

    const browser = new FormClient(t.app);
    await browser.post("/login", { email: victim.user.email, password: victim.password }, { csrfFrom: "/login" });
    const page = await browser.post("/login/two-factor", { code: attackerCode, methodId: attacker.methodId }, { csrfFrom: "/login/two-factor" });
    assert.notEqual(page.statusCode, 303);
    assert.equal(browser.cookies.has("twostep_session"), false);
  });

  it("refuses a user id or any other extra field sent with the second step", async () => {
    const victim = await enrolTotp(t.deps);
    const attacker = await enrolTotp(t.deps);
    t.clock.advance(30);
    // The attacker's own login, trying to point it at the victim.
    const flowId = await apiStartLogin(t.app, { email: attacker.user.email, password: attacker.password });
    for (const extra of [{ userId: victim.user.id }, { email: victim.user.email }]) {
      const response = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(attacker.keyBase32, t.clock.now()), ...extra });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, "unknown_field");
    }
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: attacker.user.email, password: attacker.password }, { csrfFrom: "/login" });
    const page = await browser.post("/login/two-factor", { code: codeFor(attacker.keyBase32, t.clock.now()), userId: victim.user.id }, { csrfFrom: "/login/two-factor" });
    assert.equal(page.statusCode, 400);
    assert.equal(browser.cookies.has("twostep_session"), false);
  });
});
