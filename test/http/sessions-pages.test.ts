/**
 * Issue 17 items 4 and 5 through the pages: /settings/sessions lists the
 * user's sessions, "Sign out" ends one (CSRF, only the user's own), "Sign out
 * everywhere else" sends a stale session to "Confirm it's you"; Manage users
 * shows a user's sessions and "Sign out everywhere" to an admin of the
 * account; a trusted browser (L7) that skips the second step sends no new
 * sign-in email, even without its known-browser cookie.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { addUser } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { logInWithCode, passwordStep } from "../helpers/trusted-browser.js";

describe("pages: where you're signed in (issue 17)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const signedIn = async (email: string, password: string, address: string) => {
    const browser = new FormClient(t.app, address);
    assert.equal(await passwordStep(browser, email, password), "/settings/security");
    return browser;
  };
  const sessionIds = (body: string) => [...body.matchAll(/data-session="([^"]+)"/g)].map((match) => match[1]!);

  it("lists both sessions, signs the other out (with CSRF only), and that browser is logged out", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await signedIn(user.email, password, "203.0.113.31");
    const second = await signedIn(user.email, password, "203.0.113.32");
    const page = await first.get("/settings/sessions");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Where you're signed in<\/h1>/);
    assert.match(page.body, /This browser/);
    assert.match(page.body, /203\.0\.113\.32/);
    const ids = sessionIds(page.body);
    assert.equal(ids.length, 2);
    const otherId = ids[1]!;

    const noCsrf = await first.post(`/settings/sessions/${otherId}/sign-out`, {}, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await second.get("/settings/security")).statusCode, 200, "still signed in");

    const ended = await first.post(`/settings/sessions/${otherId}/sign-out`, {}, { csrfFrom: "/settings/sessions" });
    assert.equal(ended.headers.location, "/settings/sessions?notice=session_ended");
    const after = await second.get("/settings/security");
    assert.equal(after.headers.location, "/login");
    assert.equal(sessionIds((await first.get("/settings/sessions")).body).length, 1);
    const again = await first.post(`/settings/sessions/${otherId}/sign-out`, {}, { csrfFrom: "/settings/sessions" });
    assert.equal(again.headers.location, "/settings/sessions?notice=session_not_found");
  });

  it("'Sign out everywhere else' from a stale session goes to Confirm it's you, and ends nothing", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await signedIn(user.email, password, "203.0.113.33");
    const second = await signedIn(user.email, password, "203.0.113.34");
    t.clock.advance(t.deps.config.stepUpMinutes * 60 + 1);
    const refused = await first.post("/settings/sessions/sign-out-others", {}, { csrfFrom: "/settings/sessions" });
    assert.equal(refused.headers.location, "/settings/confirm?next=%2Fsettings%2Fsessions");
    assert.equal((await second.get("/settings/security")).statusCode, 200, "nothing ended");
    const fresh = await signedIn(user.email, password, "203.0.113.33");
    const done = await fresh.post("/settings/sessions/sign-out-others", {}, { csrfFrom: "/settings/sessions" });
    assert.equal(done.headers.location, "/settings/sessions?notice=other_sessions_ended");
    for (const gone of [first, second]) assert.equal((await gone.get("/settings/security")).headers.location, "/login");
    assert.match((await fresh.get("/settings/sessions")).body, /You are signed in on this browser only/);
  });

  it("Manage users: an admin sees a user's sessions and signs them out everywhere", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const bob = await addUser(t.deps, admin.user.accountId, { email: `bob-${Date.now()}@example.test`, displayName: "Bob" });
    const bobBrowser = await signedIn(bob.user.email, bob.password, "203.0.113.35");
    const adminBrowser = await signedIn(admin.user.email, admin.password, "203.0.113.36");
    const record = await adminBrowser.get(`/panel/users/${bob.user.id}`);
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /Where this user is signed in/);
    assert.match(record.body, /203\.0\.113\.35/);
    assert.match(record.body, /Sign out everywhere<\/button>/);
    const own = await adminBrowser.get(`/panel/users/${admin.user.id}`);
    assert.doesNotMatch(own.body, /Where this user is signed in/, "one's own sessions are on /settings/sessions");

    const ended = await adminBrowser.post(`/panel/users/${bob.user.id}/sessions/sign-out`, {}, { csrfFrom: `/panel/users/${bob.user.id}` });
    assert.equal(ended.headers.location, `/panel/users/${bob.user.id}?notice=user_sessions_ended`);
    assert.equal((await bobBrowser.get("/settings/security")).headers.location, "/login");
    assert.match((await adminBrowser.get(`/panel/users/${bob.user.id}`)).body, /Not signed in anywhere/);

    // Bob, a member, cannot end the admin's sessions.
    const bobAgain = await signedIn(bob.user.email, bob.password, "203.0.113.35");
    const refused = await bobAgain.post(`/panel/users/${admin.user.id}/sessions/sign-out`, {}, { csrfFrom: "/settings/sessions" });
    assert.equal(refused.statusCode, 403);
    assert.equal((await adminBrowser.get("/settings/security")).statusCode, 200);
  });

  it("a trusted browser that skips the second step sends no new sign-in email, even without its known-browser cookie", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const mails = async () => (await t.deps.store.messages.listMessages(10_000)).filter((message) => message.recipient === enrolled.user.email && message.kind === "new_sign_in").length;
    const before = await mails();
    const browser = new FormClient(t.app, "203.0.113.37");
    await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    assert.equal(await mails(), before + 1, "a new browser: one email");
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    browser.cookies.delete("twostep_browser");
    assert.equal(await passwordStep(browser, enrolled.user.email, enrolled.password), "/settings/security", "the second step is skipped");
    assert.equal(await mails(), before + 1, "a trusted browser: no email");
  });
});
