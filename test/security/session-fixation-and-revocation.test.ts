/**
 * Threats: session fixation (a session id planted before login, or the
 * pending login's id, keeps working after it), and sessions surviving a 2FA
 * change — an attacker already holding a session stays in after the victim
 * turns 2FA on, or a session stays "2FA-verified" after 2FA is turned off —
 * and a logged-out token that still works. twostep issues a new random token
 * at each full login, ends every other session when 2FA is enabled, disabled
 * or reset by a recovery-code login, and revokes the token on logout.
 * Covers SECURITY 28 ("a new session id after full login"), 30, L5.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiLoginWithCode, apiPost, apiSessionFor, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";

describe("security: session fixation and revocation", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const isLive = async (token: string) => (await apiGet(t.app, "/api/me/security", { token })).statusCode === 200;
  const pageIsLive = async (browser: FormClient) => (await browser.get("/settings/security")).statusCode === 200;

  it("issues a new session token after the full page login, unrelated to any earlier cookie", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    // An attacker plants a well-formed session id before the victim logs in.
    const planted = randomBytes(32).toString("base64url");
    browser.cookies.set("twostep_session", planted);

    await browser.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
    const flowToken = browser.cookies.get("twostep_login")!;
    const done = await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(done.headers.location, "/settings/security");
    const session = browser.cookies.get("twostep_session")!;
    assert.ok(session);
    assert.notEqual(session, planted);
    assert.notEqual(session, flowToken);
    assert.equal(browser.cookies.has("twostep_login"), false, "the pending-login cookie is cleared");

    // The planted id and the flow token give nothing; the new session works.
    assert.equal(await isLive(planted), false);
    assert.equal(await isLive(flowToken), false);
    assert.equal(await pageIsLive(browser), true);

    // A second login gets yet another token.
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    t.clock.advance(30);
    await browser.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
    await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.notEqual(browser.cookies.get("twostep_session"), session);
  });

  it("issues a new API session token, different from the flowId and from earlier sessions", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password });
    const first = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(enrolled.keyBase32, t.clock.now()) });
    const token = first.json().sessionToken as string;
    assert.notEqual(token, flowId);
    t.clock.advance(30);
    const second = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, codeFor(enrolled.keyBase32, t.clock.now()));
    assert.notEqual(second, token);
    // The completed flow cannot be completed again to mint another session.
    t.clock.advance(30);
    const again = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(enrolled.keyBase32, t.clock.now()) });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().code, "login_expired");
  });

  it("ends the user's other sessions when 2FA is enabled through the API", async () => {
    const { user, password } = await seedUser(t.deps);
    const enabling = await apiSessionFor(t.app, { email: user.email, password });
    const other = await apiSessionFor(t.app, { email: user.email, password });
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(await pageIsLive(browser), true);

    const setup = await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token: enabling });
    const { methodId, key } = setup.json() as { methodId: string; key: string };
    assert.equal(await isLive(other), true, "beginning the setup changes nothing yet");
    const confirmed = await apiPost(t.app, `/api/me/two-factor/totp/${methodId}/confirm`, { code: codeFor(key, t.clock.now()) }, { token: enabling });
    assert.equal(confirmed.statusCode, 200);

    assert.equal(await isLive(enabling), true, "the session that enabled 2FA stays");
    assert.equal(await isLive(other), false, "another API session ends");
    assert.equal(await pageIsLive(browser), false, "the page session ends");
  });

  it("ends the user's other sessions when 2FA is enabled through the pages", async () => {
    const { user, password } = await seedUser(t.deps);
    const other = await apiSessionFor(t.app, { email: user.email, password });
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(setup.headers.location);
    const key = keyFromSetupPage((await browser.get(setupUrl)).body);
    assert.equal((await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl })).statusCode, 200);

    assert.equal(await pageIsLive(browser), true);
    assert.equal(await isLive(other), false);
  });

  it("ends the user's other sessions when 2FA is disabled", async () => {
    const enrolled = await enrolTotp(t.deps);
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(30);
    const disabling = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    t.clock.advance(30);
    const other = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(await pageIsLive(browser), true);

    const disabled = await apiPost(t.app, "/api/me/two-factor/disable", { password: enrolled.password }, { token: disabling });
    assert.equal(disabled.statusCode, 200);
    assert.equal(await isLive(disabling), true);
    assert.equal(await isLive(other), false, "a session that was 2FA-verified does not outlive 2FA");
    assert.equal(await pageIsLive(browser), false);
  });

  it("ends the user's other sessions when 2FA is disabled on the pages", async () => {
    const enrolled = await enrolTotp(t.deps);
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(30);
    const other = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    const response = await browser.post("/settings/two-factor/disable", { password: enrolled.password }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_disabled");
    assert.equal(await pageIsLive(browser), true);
    assert.equal(await isLive(other), false);
  });

  it("ends every earlier session when a recovery-code login disables 2FA (policy `disable`)", async () => {
    const enrolled = await enrolTotp(t.deps, { policy: { recoveryCodePolicy: "disable" } });
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(30);
    const earlier = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    const flowId = await apiStartLogin(t.app, credentials);
    const recovered = await apiPost(t.app, "/api/login/recovery-code", { flowId, code: enrolled.recoveryCodes[0]! });
    assert.equal(recovered.statusCode, 200);
    assert.equal(recovered.json().recovery.policy, "disable");
    assert.equal(await isLive(recovered.json().sessionToken), true);
    assert.equal(await isLive(earlier), false);
  });

  it("kills the token on logout, on the API and the pages", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password });
    const kept = await apiSessionFor(t.app, { email: user.email, password });
    const loggedOut = await apiPost(t.app, "/api/logout", {}, { token });
    assert.equal(loggedOut.statusCode, 204);
    assert.equal(await isLive(token), false);
    assert.equal((await apiPost(t.app, "/api/logout", {}, { token })).statusCode, 401);
    assert.equal(await isLive(kept), true, "logout ends this session only");

    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const cookie = browser.cookies.get("twostep_session")!;
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.equal(browser.cookies.has("twostep_session"), false);
    // Replaying the old cookie after logout gets nothing.
    browser.cookies.set("twostep_session", cookie);
    const replayed = await browser.get("/settings/security");
    assert.equal(replayed.statusCode, 303);
    assert.equal(replayed.headers.location, "/login");
    assert.equal(await isLive(cookie), false);
  });
});
