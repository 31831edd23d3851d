import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { User } from "../../src/domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../../src/domain/policy.js";
import { errorMessage } from "../../src/domain/errors.js";
import { escapeHtml } from "../../src/http/pages/html.js";
import { createUser } from "../../src/services/access/users.js";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";

/**
 * M5: which methods a tenant allows is policy, per account and inherited
 * (platform → reseller, separately for its own users and its customers → the
 * account itself; the most specific layer wins). Defaults: reseller users TOTP
 * and SMS, storefront customers TOTP only. A method the policy does not allow
 * cannot be enrolled through the pages or the API (403
 * method_not_allowed_by_policy, the page says so, no pending method is left,
 * nothing is texted), nor set up again through a reset (M4), nor confirmed
 * after the policy changed mid-setup; the security page offers only allowed
 * methods.
 */

const number = "+447400123456";
const policyMessage = escapeHtml(errorMessage("method_not_allowed_by_policy"));

function layer(allowedMethods: PolicyLayer["allowedMethods"]): PolicyLayer {
  return { requireTwoFactorFrom: null, allowedMethods, recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null };
}

describe("method policy (M5)", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());
  // SECURITY 25 allows 5 texts an hour to one number: each test starts a new hour.
  beforeEach(() => t.clock.advance(3600));

  async function accountsOf(user: User) {
    const account = (await t.deps.store.accounts.findAccountById(user.accountId))!;
    const parent = account.parentId ? (await t.deps.store.accounts.findAccountById(account.parentId))! : undefined;
    const grandparent = parent?.parentId ? (await t.deps.store.accounts.findAccountById(parent.parentId))! : undefined;
    return { account, parent, grandparent };
  }

  const savePolicy = (accountId: string, audience: PolicyAudience, allowed: PolicyLayer["allowedMethods"]) =>
    t.deps.store.accounts.savePolicyLayer(accountId, audience, layer(allowed), t.clock.now());

  /** SMS setup through the API is refused by policy, and changes nothing (no pending method, no text). */
  async function assertSmsRefusedByApi(user: User, password: string) {
    const token = await api.sessionFor(user.email, password);
    assert.equal(((await api.get("/api/me/security", token)).body.policy.allowedMethods as string[]).includes("sms"), false);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token), 403, "method_not_allowed_by_policy");
    });
    assert.deepEqual(await t.deps.store.methods.listMethods(user.id), []);
    return token;
  }

  /** The same through the pages: no link offered, and a posted form gets 403 with the policy's message. */
  async function assertSmsRefusedByPages(user: User, password: string, address: string) {
    const browser = new FormClient(t.app, address);
    let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");
    response = await browser.get("/settings/security");
    assert.doesNotMatch(response.body, /href="\/settings\/two-factor\/sms"/, "SMS is not offered");
    assert.match(response.body, /href="\/settings\/two-factor\/setup"/, "the authenticator app is");
    const csrf = await browser.csrfFor("/settings/two-factor/sms");
    await assertChangesNothing(t, async () => {
      response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: number }, { csrf });
      assertPolicyPage(response);
    });
    assert.deepEqual(await t.deps.store.methods.listMethods(user.id), [], "no pending method left");
    return browser;
  }

  function assertPolicyPage(response: LightMyRequestResponse) {
    assert.equal(response.statusCode, 403, response.body.slice(0, 300));
    assert.match(String(response.headers["content-type"]), /^text\/html/);
    assert.ok(response.body.includes(policyMessage), "the page says the policy does not allow the method");
  }

  it("a storefront customer (default TOTP and security keys, no SMS) cannot enrol SMS through the API or the pages", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer" });
    const sent = (await t.deps.store.outbox.listOutboxMessages(1000)).length;
    const token = await assertSmsRefusedByApi(user, password);
    await assertSmsRefusedByPages(user, password, "203.0.113.41");
    assert.equal((await t.deps.store.outbox.listOutboxMessages(1000)).length, sent, "nothing texted");

    // TOTP is allowed; with it enabled, SMS is still neither offered nor accepted.
    const totp = await api.enrolTotp(token, password, t.clock);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token), 403, "method_not_allowed_by_policy");
    });
    const browser = new FormClient(t.app, "203.0.113.42");
    t.clock.advance(30);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const response = await browser.post("/login/two-factor", { code: codeFor(totp.key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
    assert.doesNotMatch((await browser.get("/settings/security")).body, /Add SMS codes/);
    assert.deepEqual((await t.deps.store.methods.listMethods(user.id)).map((method) => method.type), ["totp"]);
  });

  it("a reseller user (default TOTP and SMS) can enrol SMS through the API and the pages", async () => {
    const viaApi = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(viaApi.user.email, viaApi.password);
    assert.deepEqual((await api.get("/api/me/security", token)).body.policy.allowedMethods, ["totp", "sms", "webauthn"]);
    const response = await api.post("/api/me/two-factor/sms", { password: viaApi.password, phoneNumber: number }, token);
    assert.equal(response.status, 200, response.raw.body);

    const viaPages = await seedUser(t.deps, { kind: "reseller" });
    const browser = new FormClient(t.app, "203.0.113.43");
    await browser.post("/login", { email: viaPages.user.email, password: viaPages.password }, { csrfFrom: "/login" });
    assert.match((await browser.get("/settings/security")).body, /href="\/settings\/two-factor\/sms"/);
    t.clock.advance(1);
    const page = await browser.post("/settings/two-factor/sms", { password: viaPages.password, phoneNumber: "+447400654321" }, { csrfFrom: "/settings/two-factor/sms" });
    assert.equal(page.statusCode, 303, page.body.slice(0, 300));
    assert.match(String(page.headers.location), /^\/settings\/two-factor\/sms\/[0-9a-f-]{36}$/);
  });

  it("a reseller's own layer (own_users: TOTP only) applies to its users", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller", policy: { allowedMethods: ["totp"] } });
    await assertSmsRefusedByApi(user, password);
    await assertSmsRefusedByPages(user, password, "203.0.113.44");
  });

  it("layers: the platform's rule for reseller users, overridden by the reseller's own", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const { account: reseller, parent: platform } = await accountsOf(user);
    await savePolicy(platform!.id, "reseller_users", ["totp"]);
    await assertSmsRefusedByApi(user, password);
    await assertSmsRefusedByPages(user, password, "203.0.113.45");

    await savePolicy(reseller.id, "own_users", ["totp", "sms"]);
    const token = await api.sessionFor(user.email, password);
    const response = await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token);
    assert.equal(response.status, 200, `the more specific layer wins: ${response.raw.body}`);
  });

  it("layers: the reseller's rule for its customers (customer_users), separate from its own users", async () => {
    const customer = await seedUser(t.deps, { kind: "customer" });
    const { account, parent: reseller, grandparent: platform } = await accountsOf(customer.user);
    const created = await createUser(
      t.deps,
      { accountId: reseller!.id, email: `staff-${randomBytes(3).toString("hex")}@example.test`, password: "correct horse battery", role: "member" },
      { clientAddress: null, userAgent: "test" },
    );
    assert.equal(created.ok, true);
    const staff = created.ok ? created.user : undefined!;

    // The platform lets customers use SMS, the reseller says TOTP only for its customers: the reseller wins.
    await savePolicy(platform!.id, "customer_users", ["totp", "sms"]);
    await savePolicy(reseller!.id, "customer_users", ["totp"]);
    await assertSmsRefusedByApi(customer.user, customer.password);
    await assertSmsRefusedByPages(customer.user, customer.password, "203.0.113.46");

    // The customers' rule is not the reseller's own users' rule.
    let token = await api.sessionFor(staff.email, "correct horse battery");
    let response = await api.post("/api/me/two-factor/sms", { password: "correct horse battery", phoneNumber: number }, token);
    assert.equal(response.status, 200, response.raw.body);

    // The reseller allows SMS for its customers: now a customer can enrol it.
    await savePolicy(reseller!.id, "customer_users", ["totp", "sms"]);
    token = await api.sessionFor(customer.user.email, customer.password);
    t.clock.advance(1);
    response = await api.post("/api/me/two-factor/sms", { password: customer.password, phoneNumber: "+447400654321" }, token);
    assert.equal(response.status, 200, response.raw.body);
    const [message] = await t.deps.store.outbox.listOutboxMessages(1);
    response = await api.post(`/api/me/two-factor/sms/${response.body.methodId}/confirm`, { code: /#(\d{6})$/.exec(message!.body)![1] }, token);
    assert.equal(response.status, 200, response.raw.body);

    // The customer's own account layer is the most specific of all: SMS only, so no authenticator app.
    await savePolicy(account.id, "own_users", ["sms"]);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/me/two-factor/totp", { password: customer.password }, token), 403, "method_not_allowed_by_policy");
    });
  });

  it("a method the policy no longer allows cannot be set up again by a reset, nor confirmed mid-setup", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(user.email, password);
    let response = await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token);
    const smsId: string = response.body.methodId;
    let [message] = await t.deps.store.outbox.listOutboxMessages(1);
    response = await api.post(`/api/me/two-factor/sms/${smsId}/confirm`, { code: /#(\d{6})$/.exec(message!.body)![1] }, token);
    assert.equal(response.status, 200, response.raw.body);

    // The account now allows the authenticator app only.
    await savePolicy(user.accountId, "own_users", ["totp"]);

    // The SMS method already enrolled still logs in (the user is not locked out)...
    t.clock.advance(60);
    const flow = await api.post("/api/login", { email: user.email, password });
    assert.equal(flow.body.codeDelivery.status, "sent");
    [message] = await t.deps.store.outbox.listOutboxMessages(1);
    response = await api.post("/api/login/second-factor", { flowId: flow.body.flowId, code: /#(\d{6})$/.exec(message!.body)![1] });
    assert.equal(response.status, 200, response.raw.body);

    // ...but it cannot be reset to a (new) number through the API or the pages.
    t.clock.advance(60);
    assert.equal((await api.post(`/api/me/methods/${smsId}/send-code`, undefined, token)).status, 200);
    [message] = await t.deps.store.outbox.listOutboxMessages(1);
    const verifyCode = /#(\d{6})$/.exec(message!.body)![1]!;
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post(`/api/me/methods/${smsId}/reset`, { code: verifyCode, phoneNumber: "+447400654321" }, token), 403, "method_not_allowed_by_policy");
    });
    const browser = new FormClient(t.app, "203.0.113.47");
    t.clock.advance(1);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    [message] = await t.deps.store.outbox.listOutboxMessages(1);
    const loggedIn = await browser.post("/login/two-factor", { code: /#(\d{6})$/.exec(message!.body)![1]! }, { csrfFrom: "/login/two-factor" });
    assert.equal(loggedIn.headers.location, "/settings/security", "the browser is logged in");
    const resetUrl = `/settings/methods/${smsId}/reset`;
    const csrf = await browser.csrfFor(resetUrl);
    await assertChangesNothing(t, async () => {
      assertPolicyPage(await browser.post(resetUrl, { code: verifyCode, phoneNumber: "+447400654321" }, { csrf }));
    });
    assert.deepEqual((await t.deps.store.methods.listMethods(user.id)).map((method) => [method.id, method.status]), [[smsId, "active"]]);

    // A TOTP setup begun while allowed cannot be confirmed once the policy forbids it.
    const other = await seedUser(t.deps, { kind: "reseller" });
    const otherBrowser = new FormClient(t.app, "203.0.113.48");
    await otherBrowser.post("/login", { email: other.user.email, password: other.password }, { csrfFrom: "/login" });
    const pageSetup = await otherBrowser.post("/settings/two-factor/setup", { password: other.password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(pageSetup.headers.location);
    const key = keyFromSetupPage((await otherBrowser.get(setupUrl)).body);
    await savePolicy(other.user.accountId, "own_users", ["sms"]);
    const confirmed = await otherBrowser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(confirmed.statusCode, 403, confirmed.body.slice(0, 300));
    assert.ok(confirmed.body.includes(policyMessage), "the page says the policy does not allow the method");
    assert.deepEqual((await t.deps.store.methods.listMethods(other.user.id)).filter((method) => method.status === "active"), [], "not enabled");
  });
});
