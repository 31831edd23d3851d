/**
 * PR1 journeys through the pages and the JSON API: "Forgot password?" → the
 * emailed link → a new password → a 2FA user is taken to the second step
 * (TOTP code or recovery code both work there), a user without 2FA is logged
 * in; 2FA stays on, other sessions end, the user is emailed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const newPassword = "a brand new password 42";

describe("password reset journeys", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function requestThroughPages(browser: FormClient, email: string) {
    await browser.get("/login");
    assert.match(browser.lastPage, /href="\/login\/forgot">Forgot password\?</);
    const asked = await browser.post("/login/forgot", { email }, { csrfFrom: "/login/forgot" });
    assert.equal(asked.statusCode, 200);
    assert.match(asked.body, /If an account exists for that address, we have sent a link/);
    return resetLinkFor(t.deps, email);
  }

  async function setNewPassword(browser: FormClient, link: { url: string; token: string }) {
    const page = await browser.get(new URL(link.url).pathname + new URL(link.url).search);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /autocomplete="new-password"/);
    assert.match(page.body, /<label for="field-confirmPassword">/);
    return browser.post("/login/reset", { token: link.token, newPassword, confirmPassword: newPassword }, { csrf: await browser.csrfFor() });
  }

  it("pages: a TOTP user is taken to the second step, not logged in, and logs in with a code; 2FA stays on, other sessions end", async () => {
    const enrolled = await enrolTotp(t.deps);
    const other = new ApiClient(t.app, "192.0.2.50");
    t.clock.advance(30);
    const otherFlow = await other.flowFor(enrolled.user.email, enrolled.password);
    const otherSession = (await other.post("/api/login/second-factor", { flowId: otherFlow, code: codeFor(enrolled.keyBase32, t.clock.now()) })).body.sessionToken as string;
    assert.equal((await other.get("/api/me/methods", otherSession)).status, 200);

    const browser = new FormClient(t.app);
    const link = await requestThroughPages(browser, enrolled.user.email);
    assert.ok(link.url.startsWith("http://localhost:3000/login/reset?token="));
    const done = await setNewPassword(browser, link);
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/login/two-factor");
    assert.ok(!browser.cookies.has("twostep_session"), "no session before the second step");
    assert.ok(browser.cookies.has("twostep_login"));
    assert.equal((await browser.get("/settings/security")).statusCode, 303, "the security page is not reachable yet");

    assert.equal((await other.get("/api/me/methods", otherSession)).status, 401, "the other session ended");
    t.clock.advance(30);
    await browser.get("/login/two-factor");
    const verified = await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()), methodId: enrolled.methodId }, { csrf: await browser.csrfFor() });
    assert.equal(verified.statusCode, 303);
    assert.equal(verified.headers.location, "/settings/security");
    const security = await browser.get("/settings/security");
    assert.equal(security.statusCode, 200);
    assert.equal((await t.deps.store.methods.listMethods(enrolled.user.id)).filter((method) => method.status === "active").length, 1, "2FA stays on");

    // The new password works for a later login (and the old one no longer does); the user was emailed.
    const api = new ApiClient(t.app, "192.0.2.51");
    assert.equal((await api.post("/api/login", { email: enrolled.user.email, password: enrolled.password })).status, 401);
    assert.equal((await api.post("/api/login", { email: enrolled.user.email, password: newPassword })).body.status, "second_factor_required");
    const told = (await t.deps.store.messages.listMessages(200)).filter((message) => message.recipient === enrolled.user.email && message.kind === "password_reset");
    assert.equal(told.length, 1);
    assert.match(told[0]!.textBody, /password for your account was reset/);
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 20 });
    assert.ok(events.some((event) => event.type === "password.reset"));
  });

  it("pages: the second step after a reset takes a recovery code too", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    const done = await setNewPassword(browser, await requestThroughPages(browser, enrolled.user.email));
    assert.equal(done.headers.location, "/login/two-factor");
    const recovered = await browser.post("/login/recovery", { code: enrolled.recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
    assert.equal(recovered.statusCode, 303);
    assert.ok(browser.cookies.has("twostep_session"));
    assert.equal((await browser.get("/settings/security")).statusCode, 200);
  });

  it("pages: a user without 2FA is logged in with the new password", async () => {
    const { user } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    const done = await setNewPassword(browser, await requestThroughPages(browser, user.email));
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/settings/security");
    assert.equal((await browser.get("/settings/security")).statusCode, 200);
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 20 });
    assert.ok(events.some((event) => event.type === "login.succeeded" && event.detail.factor === "password_reset"));
  });

  it("pages: two different passwords, or a short one, are refused next to the field and keep the link", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    const link = await requestThroughPages(browser, user.email);
    await browser.get(`/login/reset?token=${link.token}`);
    const mismatch = await browser.post("/login/reset", { token: link.token, newPassword, confirmPassword: `${newPassword}x` }, { csrf: await browser.csrfFor() });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /id="field-confirmPassword-error" role="alert">The two passwords do not match/);
    const short = await browser.post("/login/reset", { token: link.token, newPassword: "short", confirmPassword: "short" }, { csrf: await browser.csrfFor() });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /id="field-newPassword-error" role="alert">Use a password of at least 12 characters/);
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(user.id))!.passwordHash, password), "nothing changed");
    assert.equal((await setNewPassword(browser, link)).headers.location, "/settings/security", "the link still works");
  });

  it("API: request → 202, complete → second_factor_required for a TOTP user, then a session with a code", async () => {
    const enrolled = await enrolTotp(t.deps);
    const api = new ApiClient(t.app, "192.0.2.60");
    const asked = await api.post("/api/password-reset/request", { email: enrolled.user.email });
    assert.equal(asked.status, 202);
    assert.equal(asked.body.status, "requested");
    const { token } = await resetLinkFor(t.deps, enrolled.user.email);
    const done = await api.post("/api/password-reset/complete", { token, newPassword });
    assert.equal(done.status, 200, done.raw.body);
    assert.equal(done.body.status, "second_factor_required");
    assert.equal(done.body.sessionToken, undefined);
    assert.deepEqual(done.body.methods.map((method: { id: string }) => method.id), [enrolled.methodId]);
    t.clock.advance(30);
    const verified = await api.post("/api/login/second-factor", { flowId: done.body.flowId, code: codeFor(enrolled.keyBase32, t.clock.now()) });
    assert.equal(verified.status, 200);
    assert.equal((await api.get("/api/me/methods", verified.body.sessionToken)).status, 200);
  });

  it("API: a user without 2FA is authenticated; a required, missing 2FA gives enrolment_required", async () => {
    const api = new ApiClient(t.app, "192.0.2.61");
    const { user } = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: user.email });
    const done = await api.post("/api/password-reset/complete", { token: (await resetLinkFor(t.deps, user.email)).token, newPassword });
    assert.equal(done.body.status, "authenticated");
    assert.equal((await api.get("/api/me/methods", done.body.sessionToken)).status, 200);

    const required = await seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - 86_400_000 } });
    await api.post("/api/password-reset/request", { email: required.user.email });
    const enrol = await api.post("/api/password-reset/complete", { token: (await resetLinkFor(t.deps, required.user.email)).token, newPassword });
    assert.equal(enrol.body.status, "enrolment_required");
    assert.equal(enrol.body.sessionToken, undefined);
  });

  it("API: bad input is a 400 naming the field, and changes nothing", async () => {
    const api = new ApiClient(t.app, "192.0.2.62");
    const { user, password } = await seedUser(t.deps);
    const badEmail = await api.post("/api/password-reset/request", { email: "not an email" });
    assert.equal(badEmail.status, 400);
    assert.deepEqual([badEmail.body.code, badEmail.body.field], ["invalid_email", "email"]);
    assert.equal((await api.post("/api/password-reset/request", { email: user.email, extra: 1 })).body.code, "unknown_field");
    await api.post("/api/password-reset/request", { email: user.email });
    const { token } = await resetLinkFor(t.deps, user.email);
    const short = await api.post("/api/password-reset/complete", { token, newPassword: "short" });
    assert.deepEqual([short.status, short.body.code, short.body.field], [400, "password_too_short", "newPassword"]);
    const missing = await api.post("/api/password-reset/complete", { newPassword });
    assert.equal(missing.status, 400);
    const garbage = await api.post("/api/password-reset/complete", { token: "not-a-token", newPassword });
    assert.deepEqual([garbage.status, garbage.body.code, garbage.body.field], [400, "reset_link_invalid", "token"]);
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(user.id))!.passwordHash, password), "nothing changed");
    assert.equal((await api.post("/api/password-reset/complete", { token, newPassword })).status, 200, "the link still works");
  });
});
