/** P1: admins set their level's requirement and date on a page (no JavaScript, CSRF); others cannot. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { createAccount, createUser } from "../../src/services/users.js";

describe("pages: the two-factor requirement admins set", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function logIn(email: string, password: string) {
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");
    return browser;
  }

  it("a reseller admin requires 2FA of its customers from yesterday: a customer's next login may only enrol", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const reseller = (await t.deps.store.accounts.findAccountById(admin.user.accountId))!;
    const customerAccount = await createAccount(t.deps, { name: `shop ${Date.now()}`, kind: "customer", parentId: reseller.id });
    const created = await createUser(t.deps, { accountId: customerAccount.id, email: `buyer-${Date.now()}@example.test`, password: "correct horse battery", role: "member" }, { clientAddress: null, userAgent: "test" });
    assert.ok(created.ok);
    const browser = await logIn(admin.user.email, admin.password);
    const security = await browser.get("/settings/security");
    assert.match(security.body, /href="\/settings\/two-factor-policy">Two-factor requirement</);
    const page = await browser.get("/settings/two-factor-policy");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="field-own_users">Your reseller account[^<]*s users: required from<\/label>/);
    assert.match(page.body, /<label for="field-customer_users">Your customers[^<]* users: required from<\/label>/);
    assert.doesNotMatch(page.body, /field-reseller_users/);
    const bad = await browser.post("/settings/two-factor-policy", { own_users: "", customer_users: "2026-02-30" }, { csrfFrom: "/settings/two-factor-policy" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<p class="error" id="field-customer_users-error" role="alert">Enter a date as YYYY-MM-DD/);
    assert.equal((await t.deps.store.accounts.findPolicyLayers([{ accountId: reseller.id, audience: "customer_users" }])).length, 0, "nothing saved");
    const noCsrf = await browser.post("/settings/two-factor-policy", { own_users: "", customer_users: "2026-11-21" }, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
    const saved = await browser.post("/settings/two-factor-policy", { own_users: "", customer_users: "2026-11-21" }, { csrfFrom: "/settings/two-factor-policy" });
    assert.equal(saved.headers.location, "/settings/two-factor-policy?notice=policy_saved");
    const [layer] = await t.deps.store.accounts.findPolicyLayers([{ accountId: reseller.id, audience: "customer_users" }]);
    assert.equal(layer?.requireTwoFactorFrom, Date.UTC(2026, 10, 21));
    const events = await t.deps.store.events.listEvents({ accountId: reseller.id, limit: 10 });
    assert.ok(events.some((event) => event.type === "policy.changed" && event.actorUserId === admin.user.id && event.detail.audience === "customer_users"));
    // The reseller's own users are not covered by the rule for customers (P2).
    assert.equal((await new ApiClient(t.app).post("/api/login", { email: admin.user.email, password: admin.password })).body.status, "authenticated");
    const customerLogin = await new ApiClient(t.app).post("/api/login", { email: created.user.email, password: "correct horse battery" });
    assert.equal(customerLogin.body.status, "enrolment_required");
  });

  it("a platform support user sets the platform levels; a member sees no entry and gets 403", async () => {
    const support = await seedUser(t.deps, { kind: "platform", role: "support" });
    const browser = await logIn(support.user.email, support.password);
    const page = await browser.get("/settings/two-factor-policy");
    for (const audience of ["own_users", "reseller_users", "customer_users"]) assert.match(page.body, new RegExp(`field-${audience}`));
    const member = await seedUser(t.deps, { kind: "reseller", role: "member" });
    const memberBrowser = await logIn(member.user.email, member.password);
    assert.doesNotMatch((await memberBrowser.get("/settings/security")).body, /two-factor-policy/);
    assert.equal((await memberBrowser.get("/settings/two-factor-policy")).statusCode, 403);
    const post = await memberBrowser.post("/settings/two-factor-policy", { own_users: "2020-01-01" }, { csrfFrom: "/settings/security" });
    assert.equal(post.statusCode, 403);
    assert.equal((await t.deps.store.accounts.findPolicyLayers([{ accountId: member.user.accountId, audience: "own_users" }])).length, 0);
  });

  it("a customer admin may not set a level it does not own", async () => {
    const admin = await seedUser(t.deps, { kind: "customer", role: "admin" });
    const browser = await logIn(admin.user.email, admin.password);
    const response = await browser.post("/settings/two-factor-policy", { customer_users: "2020-01-01" }, { csrfFrom: "/settings/two-factor-policy" });
    assert.equal(response.statusCode, 403);
  });
});
