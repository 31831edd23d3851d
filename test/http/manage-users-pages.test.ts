/** A1 as pages: the list with coverage, the filter and search, next page, the create form with errors by their fields, the record, deactivate with a confirm page. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { addUser, giveMethod, invitationFor } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("pages: manage users (A1)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function logIn(email: string, password: string) {
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
    assert.equal(response.statusCode, 303);
    return browser;
  }

  it("an admin sees the coverage line, filters without 2FA, searches and pages", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const users = [];
    for (let i = 0; i < 52; i++) users.push(await addUser(t.deps, admin.user.accountId, { email: `p${String(i).padStart(2, "0")}-${Date.now()}@example.test` }));
    for (const covered of users.slice(0, 7)) await giveMethod(t.deps, covered.user.id);
    const browser = await logIn(admin.user.email, admin.password);
    const list = await browser.get("/panel/users");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /7 of 53 users have 2FA/);
    assert.match(list.body, /<a href="\/panel\/users">Manage users<\/a>|aria-current="page">Manage users/);
    assert.match(list.body, /<strong class="status-on">Enabled<\/strong> <span class="hint">\(Authenticator app\)<\/span>/);
    assert.match(list.body, /<a href="\/panel\/users" aria-current="true">All users<\/a><a href="\/panel\/users\?withoutTwoFactor=1">Without 2FA<\/a>/);
    assert.match(list.body, /<label for="field-search">Search by email or name<\/label>/);
    const next = /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(list.body);
    assert.ok(next, "53 users: a next page");
    const second = await browser.get(next[1]!.replace(/&amp;/g, "&"));
    assert.equal((second.body.match(/<tr>/g) ?? []).length - 1, 3, "the 3 users left after 50");

    const without = await browser.get("/panel/users?withoutTwoFactor=1");
    assert.doesNotMatch(without.body, new RegExp(users[0]!.user.email));
    assert.match(without.body, new RegExp(users[7]!.user.email));
    assert.match(without.body, /aria-current="true">Without 2FA<\/a>/);
    assert.match(without.body, /<input type="hidden" name="withoutTwoFactor" value="1">/, "a search keeps the filter");
    const found = await browser.get(`/panel/users?search=${encodeURIComponent(users[9]!.user.email.slice(0, 3))}`);
    assert.equal((found.body.match(/<tr>/g) ?? []).length - 1, 1);
    const bad = await browser.get("/panel/users?cursor=%21");
    assert.equal(bad.statusCode, 400);
  });

  it("creates a user from the form (errors next to their fields) and the invitation goes out", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const browser = await logIn(admin.user.email, admin.password);
    const form = await browser.get("/panel/users/new");
    assert.match(form.body, /<label for="field-email">Email<\/label>/);
    assert.match(form.body, /<label for="field-displayName">Name<\/label>/);
    assert.doesNotMatch(form.body, /value="support"/);
    const bad = await browser.post("/panel/users/new", { email: "nope", displayName: "N", role: "member" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="field-email-error" role="alert">Enter a valid email address/);
    assert.equal((await browser.post("/panel/users/new", { email: "a@example.test", displayName: "N", role: "member" }, { csrf: null })).statusCode, 403, "CSRF");
    const email = `invitee-${Date.now()}@example.test`;
    const created = await browser.post("/panel/users/new", { email, displayName: "Ivy Invitee", role: "member" });
    assert.equal(created.statusCode, 303);
    const record = await browser.get(created.headers.location as string);
    assert.match(record.body, /The user is created/);
    assert.match(record.body, /Ivy Invitee/);
    assert.match((await invitationFor(t.deps, email)).text, /choose your password/);
  });

  it("platform support finds its staff under Support console → Manage users, and is offered only what it may do: no Create user, no Deactivate", async () => {
    const support = await seedUser(t.deps, { kind: "platform", role: "support" });
    const colleague = await addUser(t.deps, support.user.accountId, { role: "support", displayName: "Sue Support" });
    const browser = await logIn(support.user.email, support.password);
    const list = await browser.get("/panel/users");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<span class="surface-name" aria-hidden="true">Support console<\/span>.*<a href="\/panel\/users" aria-current="page">Manage users<\/a>/);
    assert.match(list.body, /0 of 2 users have 2FA/);
    assert.doesNotMatch(list.body, /href="\/panel\/users\/new"/, "support may look, not create");
    assert.equal((await browser.get("/panel/users/new")).statusCode, 403);
    const record = await browser.get(`/panel/users/${colleague.user.id}`);
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /aria-current="page">Manage users<\/a>/, "a record is under Manage users");
    assert.doesNotMatch(record.body, /Deactivate user/, "support deactivates no colleague");
    const alone = await seedUser(t.deps, { kind: "platform", role: "support" });
    assert.match((await (await logIn(alone.user.email, alone.password)).get("/panel/users")).body, /0 of 1 user has 2FA/);
  });

  it("deactivates through a confirm page, then reactivates; the reset-request link shows for a reseller user with 2FA", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const target = await addUser(t.deps, admin.user.accountId);
    const victimBrowser = await logIn(target.user.email, target.password);
    await giveMethod(t.deps, target.user.id);
    const browser = await logIn(admin.user.email, admin.password);
    const record = await browser.get(`/panel/users/${target.user.id}`);
    assert.match(record.body, new RegExp(`href="/panel/users/${target.user.id}/reset-request"`));
    assert.match(record.body, /Two-Factor Authentication<\/dt><dd><strong class="status-on">Enabled<\/strong>/);
    const confirm = await browser.get(`/panel/users/${target.user.id}/deactivate`);
    assert.match(confirm.body, /Deactivate .*\?/);
    const done = await browser.post(`/panel/users/${target.user.id}/deactivate`, {});
    assert.equal(done.headers.location, `/panel/users/${target.user.id}?notice=user_deactivated`);
    assert.equal((await victimBrowser.get("/settings/security")).statusCode, 303, "their session ended");
    assert.match((await browser.get(`/panel/users/${target.user.id}`)).body, /Deactivated/);
    const again = await browser.post(`/panel/users/${target.user.id}/reactivate`, {}, { csrfFrom: `/panel/users/${target.user.id}` });
    assert.equal(again.headers.location, `/panel/users/${target.user.id}?notice=user_reactivated`);
    assert.equal((await t.deps.store.accounts.findUserById(target.user.id))?.active, true);
    const own = await browser.get(`/panel/users/${admin.user.id}`);
    assert.match(own.body, /you cannot deactivate your own user/);
  });
});
