/**
 * A1's invitation link opens the set-password page in an invited user's words:
 * "Set your password", "Welcome to <account>", no talk of a reset; a weak
 * password brings the same words back; choosing the password is logged as
 * `password.set` and sends no "your password was reset" email. The
 * "Forgot password?" link (PR1) keeps its own words on the same page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { invitationFor } from "../helpers/manage-users.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("pages: the invitation's set-password page (A1)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function invite() {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const account = (await t.deps.store.accounts.findAccountById(admin.user.accountId))!;
    const browser = new FormClient(t.app);
    assert.equal((await browser.post("/login", { email: admin.user.email, password: admin.password }, { csrfFrom: "/login" })).statusCode, 303);
    const email = `newcomer-${Date.now()}@example.test`;
    assert.equal((await browser.post("/panel/users/new", { email, displayName: "Nina Newcomer", role: "member" }, { csrfFrom: "/panel/users/new" })).statusCode, 303);
    return { account, email, link: await invitationFor(t.deps, email) };
  }

  it("welcomes the invited user to the account and asks them to set their password, never to reset it", async () => {
    const { account, email, link } = await invite();
    const browser = new FormClient(t.app);
    const page = await browser.get(`/login/reset?token=${link.token}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>Set your password · twostep<\/title>/);
    assert.match(page.body, new RegExp(`<h1>Welcome to ${account.name}</h1>`));
    assert.match(page.body, /Hello Nina Newcomer, you are invited to/);
    assert.match(page.body, /<label for="field-newPassword">Password<\/label>/);
    assert.match(page.body, /<label for="field-confirmPassword">Password again<\/label>/);
    assert.match(page.body, /<button type="submit" class="primary">Set your password<\/button>/);
    const words = page.body.replace(/<[^>]*>/g, " ");
    assert.doesNotMatch(words, /reset|new password/i, "an invited user has no password to reset (in what the page says)");

    const weak = await browser.post("/login/reset", { token: link.token, newPassword: "short", confirmPassword: "short" }, { csrf: await browser.csrfFor() });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /<h1>Welcome to /, "the error keeps the invitation's words");
    assert.match(weak.body, /id="field-newPassword-error" role="alert">/);

    const chosen = "my very first password";
    const done = await browser.post("/login/reset", { token: link.token, newPassword: chosen, confirmPassword: chosen }, { csrf: await browser.csrfFor() });
    assert.equal(done.statusCode, 303);
    const user = (await t.deps.store.accounts.findUserByEmail(email))!;
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 20 });
    assert.ok(events.some((event) => event.type === "password.set"), "logged as the first password");
    assert.ok(!events.some((event) => event.type === "password.reset"), "not as a reset");
    const mail = (await t.deps.store.messages.listMessages(500)).filter((message) => message.recipient === email);
    // The invitation, and the new sign-in email of the browser that set the password (issue 17): no "your password was reset".
    assert.deepEqual(mail.map((message) => message.kind).sort(), ["new_sign_in", "user_invitation"], "no 'your password was reset' email");
  });

  it("the reset link keeps its words: Choose a new password, Set the new password", async () => {
    const someone = await seedUser(t.deps, { kind: "reseller", role: "member" });
    const browser = new FormClient(t.app);
    await browser.post("/login/forgot", { email: someone.user.email }, { csrfFrom: "/login/forgot" });
    const link = await resetLinkFor(t.deps, someone.user.email);
    const page = await browser.get(`/login/reset?token=${link.token}`);
    assert.match(page.body, /<title>Choose a new password · twostep<\/title>/);
    assert.match(page.body, /<h1>Choose a new password<\/h1>/);
    assert.match(page.body, /<label for="field-newPassword">New password<\/label>/);
    assert.match(page.body, /<button type="submit" class="primary">Set the new password<\/button>/);
    assert.doesNotMatch(page.body, /Welcome to/);
  });

  it("a dead link says so in words that fit an invitation too", async () => {
    const browser = new FormClient(t.app);
    const page = await browser.get(`/login/reset?token=${"A".repeat(43)}`);
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /This link is not valid, was already used or has expired/);
    assert.match(page.body, /Came here from an invitation\? Ask for a new link with the email address you were invited with/);
  });
});
