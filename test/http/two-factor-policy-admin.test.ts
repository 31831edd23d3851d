/**
 * P1, M5, R5, D1 on the page /panel/policy: admins set their level's whole
 * policy (no JavaScript, CSRF, fresh second factor), see what the levels above
 * set and the effective result; others cannot.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";
import { createAccount, createUser } from "../../src/services/access/users.js";

const blankLevel = (audience: string) => ({ [`${audience}-from`]: "", [`${audience}-methods`]: "inherit", [`${audience}-recovery`]: "inherit", [`${audience}-password`]: "inherit", [`${audience}-remember`]: "inherit" });

describe("pages: the two-factor policy admins set", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function logIn(email: string, password: string, keyBase32?: string) {
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
    if (keyBase32) {
      assert.equal(response.headers.location, "/login/two-factor");
      t.clock.advance(30);
      const second = await browser.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
      assert.equal(second.headers.location, "/settings/security");
    } else assert.equal(response.headers.location, "/settings/security");
    return browser;
  }

  it("a reseller admin requires 2FA of its customers and TOTP only, seeing the platform's values; a customer's next login may only enrol", async () => {
    const admin = await enrolTotp(t.deps, { kind: "reseller", role: "admin" });
    const reseller = (await t.deps.store.accounts.findAccountById(admin.user.accountId))!;
    await t.deps.store.accounts.savePolicyLayer(
      reseller.parentId!,
      "customer_users",
      { requireTwoFactorFrom: null, allowedMethods: ["totp", "sms"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null },
      t.clock.now(),
    );
    const customerAccount = await createAccount(t.deps, { name: `shop ${Date.now()}`, kind: "customer", parentId: reseller.id });
    const created = await createUser(t.deps, { accountId: customerAccount.id, email: `buyer-${Date.now()}@example.test`, password: "correct horse battery", role: "member" }, { clientAddress: null, userAgent: "test" });
    assert.ok(created.ok);
    const browser = await logIn(admin.user.email, admin.password, admin.keyBase32);
    assert.match((await browser.get("/settings/security")).body, /href="\/panel\/policy">Two-factor policy</);
    const old = await browser.get("/settings/two-factor-policy");
    assert.equal(old.statusCode, 303);
    assert.equal(old.headers.location, "/panel/policy");
    const page = await browser.get("/panel/policy");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2 id="level-own_users">Your reseller account[^<]*s users<\/h2>/);
    assert.match(page.body, /<h2 id="level-customer_users">Your customers[^<]* users<\/h2>/);
    assert.doesNotMatch(page.body, /level-reseller_users/);
    for (const label of ["Two-factor required from", "Allowed methods", "After a recovery-code login", "New password when 2FA is turned off", "&quot;Don&#39;t ask again on this browser&quot; after the second step"]) {
      assert.match(page.body, new RegExp(`<label for="field-customer_users-[a-z]+">${label}</label>`));
    }
    // What the platform sets for every customer is shown as inherited.
    assert.match(page.body, /<h4>Platform level, platform \d+: Every customer account[^<]*s users<\/h4><dl class="policy-summary" data-summary="above-customer_users"><dt>Required from<\/dt><dd>Not required<\/dd><dt>Allowed methods<\/dt><dd>Authenticator app \(TOTP\) and SMS<\/dd><dt>Recovery codes<\/dt><dd>Turn 2FA off/);
    assert.match(page.body, /<option value="inherit" selected>Inherit \(now: Authenticator app \(TOTP\) and SMS\)<\/option>/);
    // L7: customers may be remembered for 30 days unless a level says otherwise.
    assert.match(page.body, /<select id="field-customer_users-remember"[^>]*>\s*<option value="inherit" selected>Inherit \(now: Up to 30 days on a browser the user chooses\)<\/option>/);

    const form = (values: Record<string, string>) => ({ audience: "customer_users", ...blankLevel("customer_users"), ...values });
    const bad = await browser.post("/panel/policy", form({ "customer_users-from": "2026-02-30" }), { csrfFrom: "/panel/policy" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<p class="error" id="field-customer_users-from-error" role="alert">Enter a date as YYYY-MM-DD/);
    const smsOnly = await browser.post("/panel/policy", form({ "customer_users-methods": "sms" }), { csrfFrom: "/panel/policy" });
    assert.equal(smsOnly.statusCode, 400);
    const badDays = await browser.post("/panel/policy", form({ "customer_users-remember": "forever" }), { csrfFrom: "/panel/policy" });
    assert.equal(badDays.statusCode, 400);
    assert.match(badDays.body, /id="field-customer_users-remember-error" role="alert">/);
    assert.match(smsOnly.body, /id="field-customer_users-methods-error" role="alert">SMS cannot be the only allowed method/);
    assert.equal((await t.deps.store.accounts.findPolicyLayers([{ accountId: reseller.id, audience: "customer_users" }])).length, 0, "nothing saved");
    assert.equal((await browser.post("/panel/policy", form({ "customer_users-from": "2026-11-21" }), { csrf: null })).statusCode, 403);

    const saved = await browser.post("/panel/policy", form({ "customer_users-from": "2026-11-21", "customer_users-methods": "totp", "customer_users-remember": "0" }), { csrfFrom: "/panel/policy" });
    assert.equal(saved.headers.location, "/panel/policy?notice=policy_saved");
    const [layer] = await t.deps.store.accounts.findPolicyLayers([{ accountId: reseller.id, audience: "customer_users" }]);
    assert.deepEqual(layer, { requireTwoFactorFrom: Date.UTC(2026, 10, 21), allowedMethods: ["totp"], recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: 0, newSignInEmail: null });
    const after = (await browser.get("/panel/policy")).body;
    assert.match(after, /data-summary="effective-customer_users"><dt>Required from<\/dt><dd>2026-11-21<\/dd><dt>Allowed methods<\/dt><dd>Authenticator app \(TOTP\) only<\/dd><dt>Recovery codes<\/dt><dd>Turn 2FA off[^<]*<\/dd><dt>New password on disable<\/dt><dd>[^<]*<\/dd><dt>Remember a browser<\/dt><dd>Never: the second step is asked at every login<\/dd>/);
    const events = await t.deps.store.events.listEvents({ accountId: reseller.id, limit: 10 });
    assert.ok(events.some((event) => event.type === "policy.changed" && event.actorUserId === admin.user.id && event.detail.changed === "requireTwoFactorFrom,allowedMethods,rememberBrowserDays"));
    // The reseller's own users are not covered by the rule for customers (P2).
    const resellerMember = await seedUser(t.deps, { kind: "reseller" });
    assert.equal((await new ApiClient(t.app).post("/api/login", { email: resellerMember.user.email, password: resellerMember.password })).body.status, "authenticated");
    const customerLogin = await new ApiClient(t.app).post("/api/login", { email: created.user.email, password: "correct horse battery" });
    assert.equal(customerLogin.body.status, "enrolment_required");
  });

  it("a stale second factor goes to the confirm page; an admin without 2FA is refused", async () => {
    const admin = await enrolTotp(t.deps, { kind: "reseller", role: "admin" });
    const browser = await logIn(admin.user.email, admin.password, admin.keyBase32);
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);
    const stale = await browser.post("/panel/policy", { audience: "own_users", ...blankLevel("own_users"), "own_users-methods": "totp" }, { csrfFrom: "/panel/policy" });
    assert.equal(stale.headers.location, "/settings/confirm?next=%2Fpanel%2Fpolicy");
    const plain = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const plainBrowser = await logIn(plain.user.email, plain.password);
    // Before any form is sent, the page says what to do: set up 2FA first (a link), the forms disabled.
    const shown = await plainBrowser.get("/panel/policy");
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /<h2 id="own-two-factor-heading">Set up two-factor authentication for your own account first<\/h2>/);
    assert.match(shown.body, /You can change the two-factor policy only while your own account uses two-factor authentication/);
    assert.match(shown.body, /<a class="button primary" href="\/settings\/two-factor\/setup">Set up two-factor authentication<\/a>/);
    assert.match(shown.body, /<fieldset class="plain" disabled>/);
    const refused = await plainBrowser.post("/panel/policy", { audience: "own_users", ...blankLevel("own_users"), "own_users-methods": "totp" }, { csrfFrom: "/panel/policy" });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Set up two-factor authentication for your own account first/);
    assert.match(refused.body, /href="\/settings\/two-factor\/setup"/);
    assert.equal((await t.deps.store.accounts.findPolicyLayers([{ accountId: admin.user.accountId, audience: "own_users" }])).length, 0);
  });

  it("a platform support user sees the three platform levels; a member sees no entry and gets 403", async () => {
    const support = await seedUser(t.deps, { kind: "platform", role: "support" });
    const browser = await logIn(support.user.email, support.password);
    const page = await browser.get("/panel/policy");
    for (const audience of ["own_users", "reseller_users", "customer_users"]) assert.match(page.body, new RegExp(`level-${audience}`));
    assert.match(page.body, /Nothing above this level/);
    const member = await seedUser(t.deps, { kind: "reseller", role: "member" });
    const memberBrowser = await logIn(member.user.email, member.password);
    assert.doesNotMatch((await memberBrowser.get("/settings/security")).body, /panel\/policy/);
    assert.equal((await memberBrowser.get("/panel/policy")).statusCode, 403);
    const post = await memberBrowser.post("/panel/policy", { audience: "own_users", "own_users-from": "2020-01-01" }, { csrfFrom: "/settings/security" });
    assert.equal(post.statusCode, 403);
    assert.equal((await t.deps.store.accounts.findPolicyLayers([{ accountId: member.user.accountId, audience: "own_users" }])).length, 0);
  });

  it("a customer admin may not set a level it does not own", async () => {
    const admin = await enrolTotp(t.deps, { kind: "customer", role: "admin" });
    const browser = await logIn(admin.user.email, admin.password, admin.keyBase32);
    const response = await browser.post("/panel/policy", { audience: "customer_users", "customer_users-from": "2020-01-01" }, { csrfFrom: "/panel/policy" });
    assert.equal(response.statusCode, 403);
  });
});
