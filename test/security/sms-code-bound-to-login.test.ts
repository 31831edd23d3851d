/**
 * Threat: a texted code accepted outside the exchange it was sent for. An
 * attacker with the password starts their own login while the victim logs
 * in (or sets up, or confirms a change) and the victim's code — which the
 * attacker phished, or which one shared phone number received — completes
 * the attacker's login; or a code from one session is used by another
 * session to confirm a reset or delete; or a client names another user's
 * method and code on its own pending login. twostep binds every code to
 * its method, its purpose (login, enrol, verify) and its binding (that login
 * flow, that setup, that session), and the pending second step to the user
 * who passed the password step, whatever the client sends.
 * Covers SECURITY 24 ("bound to the login that asked for them") and 6.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiPost } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring, type SmsUser } from "../helpers/sms.js";

const address = "198.51.100.61";

describe("security: an SMS code is bound to the login, setup or session it was sent for", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "1000", TWOSTEP_SMS_LIMIT_PER_USER: "1000" } });
  });
  after(() => t.close());

  async function apiLogin(user: SmsUser, from = address) {
    const { result, code } = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address: from }), user.phone);
    assert.equal(result.statusCode, 200, result.body);
    return { flowId: result.json().flowId as string, code };
  }
  const submit = (flowId: string, code: string, extra: object = {}, from = address) => apiPost(t.app, "/api/login/second-factor", { flowId, code, ...extra }, { address: from });

  /** Two logins whose codes differ (they do, but for one run in a million). */
  async function twoLogins(a: SmsUser, b: SmsUser) {
    const first = await apiLogin(a);
    let second = await apiLogin(b, "198.51.100.62");
    while (second.code === first.code) second = await apiLogin(b, "198.51.100.62");
    return [first, second] as const;
  }

  async function sessionFor(user: SmsUser, from = address): Promise<string> {
    const login = await apiLogin(user, from);
    const done = await submit(login.flowId, login.code, {}, from);
    assert.equal(done.statusCode, 200, done.body);
    return done.json().sessionToken as string;
  }

  it("login A's code does not complete login B of the same user", async () => {
    const victim = await enrolSms(t.deps, { phone: gbMobile(0) });
    const [a, b] = await twoLogins(victim, victim);
    const crossed = await submit(b.flowId, a.code, {}, "198.51.100.62");
    assert.equal(crossed.statusCode, 401);
    assert.equal(crossed.json().code, "invalid_sms_code");
    // Both codes still work where they belong (the one failure is cleared by the first success).
    assert.equal((await submit(a.flowId, a.code)).statusCode, 200);
    assert.equal((await submit(b.flowId, b.code, {}, "198.51.100.62")).statusCode, 200);
  });

  it("the same holds on the pages: a code texted for one browser's login fails in another's", async () => {
    const victim = await enrolSms(t.deps, { phone: gbMobile(1) });
    const credentials = { email: victim.user.email, password: victim.password };
    const victimBrowser = new FormClient(t.app, "203.0.113.61");
    const attackerBrowser = new FormClient(t.app, "203.0.113.62");
    const victimCode = (await oneCodeDuring(t.deps, () => victimBrowser.post("/login", credentials, { csrfFrom: "/login" }))).code;
    let attackerCode = (await oneCodeDuring(t.deps, () => attackerBrowser.post("/login", credentials, { csrfFrom: "/login" }))).code;
    while (attackerCode === victimCode) attackerCode = (await oneCodeDuring(t.deps, () => attackerBrowser.post("/login", credentials, { csrfFrom: "/login" }))).code;
    const crossed = await attackerBrowser.post("/login/two-factor", { code: victimCode }, { csrfFrom: "/login/two-factor" });
    assert.equal(crossed.statusCode, 401);
    assert.equal(attackerBrowser.cookies.has("twostep_session"), false);
    const done = await victimBrowser.post("/login/two-factor", { code: victimCode }, { csrfFrom: "/login/two-factor" });
    assert.equal(done.headers.location, "/settings/security");
  });

  it("a code texted for one user's login does not work on another user's login, even with the same phone number", async () => {
    const alice = await enrolSms(t.deps, { phone: gbMobile(2) });
    const mallory = await enrolSms(t.deps, { phone: gbMobile(2) }); // one shared phone, two accounts
    const [aliceLogin, malloryLogin] = await twoLogins(alice, mallory);
    const crossed = await submit(malloryLogin.flowId, aliceLogin.code, {}, "198.51.100.62");
    assert.equal(crossed.statusCode, 401);
    assert.equal(crossed.json().code, "invalid_sms_code");
    assert.equal((await submit(aliceLogin.flowId, aliceLogin.code)).statusCode, 200);
  });

  it("naming another user's SMS method on one's own pending login is refused, with or without that user's code", async () => {
    const alice = await enrolSms(t.deps, { phone: gbMobile(3) });
    const mallory = await enrolSms(t.deps, { phone: gbMobile(4) });
    const [aliceLogin, malloryLogin] = await twoLogins(alice, mallory);
    // Mallory's flow, Alice's method and Alice's (real, unused) code.
    const response = await submit(malloryLogin.flowId, aliceLogin.code, { methodId: alice.methodId }, "198.51.100.62");
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "invalid_request");
    const switched = await apiPost(t.app, "/api/login/method", { flowId: malloryLogin.flowId, methodId: alice.methodId }, { address: "198.51.100.62" });
    assert.equal(switched.statusCode, 400, "nor can the flow be switched to her method (which would text her)");
    assert.equal((await submit(aliceLogin.flowId, aliceLogin.code)).statusCode, 200, "Alice's code was not used up");
  });

  it("a setup code (enrol) does not verify a login, even when texted to the same phone", async () => {
    const user = await enrolSms(t.deps, { phone: gbMobile(5) });
    const token = await sessionFor(user);
    // A reset to the same number: the new (pending) method's setup code goes to that phone.
    const verify = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/send-code`, {}, { token, address }));
    t.clock.advance(31);
    const reset = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: verify.code, phoneNumber: user.phone }, { token, address }), user.phone);
    assert.equal(reset.result.statusCode, 200, reset.result.body);

    let login = await apiLogin(user, "198.51.100.63");
    while (login.code === reset.code) login = await apiLogin(user, "198.51.100.63");
    const withSetupCode = await submit(login.flowId, reset.code, {}, "198.51.100.63");
    assert.equal(withSetupCode.statusCode, 401);
    assert.equal(withSetupCode.json().code, "invalid_sms_code");
    // Naming the pending method on the login is refused too: it is not active.
    const naming = await submit(login.flowId, reset.code, { methodId: reset.result.json().methodId }, "198.51.100.63");
    assert.equal(naming.statusCode, 400);
    // The setup code still confirms the setup it was sent for.
    const confirmed = await apiPost(t.app, `/api/me/two-factor/sms/${reset.result.json().methodId}/confirm`, { code: reset.code }, { token, address });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
  });

  it("a login code does not confirm a setup texted to the same user", async () => {
    const user = await enrolSms(t.deps, { phone: gbMobile(6) });
    const token = await sessionFor(user);
    const verify = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/send-code`, {}, { token, address }));
    const reset = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: verify.code, phoneNumber: gbMobile(7) }, { token, address }), gbMobile(7));
    const pendingId = reset.result.json().methodId as string;
    let login = await apiLogin(user, "198.51.100.64");
    while (login.code === reset.code) login = await apiLogin(user, "198.51.100.64");
    const withLoginCode = await apiPost(t.app, `/api/me/two-factor/sms/${pendingId}/confirm`, { code: login.code }, { token, address });
    assert.equal(withLoginCode.statusCode, 401);
    assert.equal(withLoginCode.json().code, "invalid_sms_code");
  });

  it("a 'verify' code sent for session X neither confirms a change in session Y nor completes a login", async () => {
    const user = await enrolSms(t.deps, { phone: gbMobile(8) });
    const sessionX = await sessionFor(user);
    t.clock.advance(31);
    const sessionY = await sessionFor(user, "198.51.100.65");
    const verifyX = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/send-code`, {}, { token: sessionX, address }), user.phone);
    assert.equal(verifyX.result.statusCode, 200, verifyX.result.body);

    // Session Y (a stolen cookie, say) cannot use X's code to delete the method or reset it to the attacker's number.
    const deleteInY = await t.app.inject({ method: "DELETE", url: `/api/me/methods/${user.methodId}`, payload: { code: verifyX.code }, headers: { authorization: `Bearer ${sessionY}` }, remoteAddress: "198.51.100.65" });
    assert.equal(deleteInY.statusCode, 401, deleteInY.body);
    assert.equal(deleteInY.json().code, "invalid_sms_code");
    const resetInY = await apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: verifyX.code, phoneNumber: gbMobile(9) }, { token: sessionY, address: "198.51.100.65" });
    assert.equal(resetInY.statusCode, 401);

    // Nor does it complete a login.
    let login = await apiLogin(user, "198.51.100.66");
    while (login.code === verifyX.code) login = await apiLogin(user, "198.51.100.66");
    assert.equal((await submit(login.flowId, verifyX.code, {}, "198.51.100.66")).statusCode, 401);

    // In session X it works: the method is deleted (and with it 2FA, the last method).
    const deleteInX = await t.app.inject({ method: "DELETE", url: `/api/me/methods/${user.methodId}`, payload: { code: verifyX.code }, headers: { authorization: `Bearer ${sessionX}` }, remoteAddress: address });
    assert.equal(deleteInX.statusCode, 200, deleteInX.body);
    assert.equal(deleteInX.json().twoFactorDisabled, true);
  });

  it("a login code cannot be reused as a 'verify' code in the session it opened", async () => {
    const user = await enrolSms(t.deps, { phone: gbMobile(10) });
    const login = await apiLogin(user);
    const done = await submit(login.flowId, login.code);
    const token = done.json().sessionToken as string;
    const response = await t.app.inject({ method: "DELETE", url: `/api/me/methods/${user.methodId}`, payload: { code: login.code }, headers: { authorization: `Bearer ${token}` }, remoteAddress: address });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, "invalid_sms_code");
    assert.equal((await apiGet(t.app, "/api/me/methods", { token })).json().methods.length, 1, "the method is still there");
  });
});
