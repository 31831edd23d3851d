/**
 * Attack: a reseller's user reaches another reseller's customers through the
 * storefront manager (list, show, disable), on the pages and the API. Every
 * try is 403, nothing changes, and the list never contains them. A customer
 * user calling storefront routes is 403 too; disabling on a stale session is
 * 403 step_up_required.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { apiLoginWithTotp, pageLoginWithTotp, seedReseller, type Reseller } from "../helpers/storefront.js";

describe("security: a reseller reaches another reseller's customer", () => {
  let t: TestApp;
  let acme: Reseller;
  let initech: Reseller;
  let token: string;
  const api = () => new ApiClient(t.app);
  before(async () => {
    t = await createTestApp();
    acme = await seedReseller(t.deps, "Acme");
    initech = await seedReseller(t.deps, "Initech");
    token = await apiLoginWithTotp(t, initech.admin);
  });
  after(() => t.close());

  const unchanged = async () => {
    assert.equal((await t.deps.store.methods.listMethods(acme.enrolled.user.id)).length, 1, "Acme's customer keeps 2FA");
    assert.ok(await t.deps.store.codes.findRecoveryCodes(acme.enrolled.user.id), "and its recovery codes");
    const events = await t.deps.store.events.listEvents({ subjectUserId: acme.enrolled.user.id, limit: 20 });
    assert.ok(!events.some((event) => event.type === "two_factor.disabled"));
  };

  it("API: list (own and named reseller), show and disable are 403; the own list never holds them", async () => {
    const own = await api().get("/api/storefront/customers", token);
    assert.equal(own.status, 200);
    assert.ok(!JSON.stringify(own.body).includes(acme.customer.id));
    assert.equal((await api().get(`/api/storefront/customers?resellerId=${acme.account.id}`, token)).status, 403);
    assert.equal((await api().get(`/api/storefront/customers/${acme.customer.id}`, token)).status, 403);
    const disable = await api().post(`/api/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/two-factor/disable`, undefined, token);
    assert.equal(disable.status, 403);
    assert.equal(disable.body.code, "forbidden");
    // Pointing the path at its own customer account does not help either.
    const mixed = await api().post(`/api/storefront/customers/${initech.customer.id}/users/${acme.enrolled.user.id}/two-factor/disable`, undefined, token);
    assert.equal(mixed.status, 404);
    await unchanged();
    const denied = await t.deps.store.events.listEvents({ subjectUserId: initech.admin.user.id, limit: 20 });
    assert.ok(denied.some((event) => event.type === "access.denied" && event.detail.action === "customer_two_factor.disable"), "the try is in the actor's log");
  });

  it("pages: show, confirmation and disable are 403", async () => {
    const browser = await pageLoginWithTotp(t, initech.admin);
    const list = await browser.get("/storefront/customers");
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(acme.customer.name));
    assert.equal((await browser.get(`/storefront/customers/${acme.customer.id}`)).statusCode, 403);
    const confirmPath = `/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/disable`;
    assert.equal((await browser.get(confirmPath)).statusCode, 403);
    assert.equal((await browser.post(confirmPath, {}, { csrfFrom: "/storefront/customers" })).statusCode, 403);
    await unchanged();
  });

  it("a customer user calling storefront routes gets 403", async () => {
    const customerToken = await apiLoginWithTotp(t, acme.enrolled);
    assert.equal((await api().get("/api/storefront/customers", customerToken)).status, 403);
    assert.equal((await api().get(`/api/storefront/customers/${acme.customer.id}`, customerToken)).status, 403, "not even its own account's record");
    const disable = await api().post(`/api/storefront/customers/${acme.customer.id}/users/${acme.plain.user.id}/two-factor/disable`, undefined, customerToken);
    assert.equal(disable.status, 403);
    const browser = await pageLoginWithTotp(t, acme.enrolled);
    assert.equal((await browser.get("/storefront/customers")).statusCode, 403);
    assert.doesNotMatch((await browser.get("/settings/security")).body, /storefront\/customers/);
    await unchanged();
  });

  it("disabling without a fresh second factor is 403 step_up_required", async () => {
    const acmeToken = await apiLoginWithTotp(t, acme.admin);
    t.clock.advance(t.config.stepUpMinutes * 60 + 1);
    const response = await api().post(`/api/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/two-factor/disable`, undefined, acmeToken);
    assert.equal(response.status, 403);
    assert.equal(response.body.code, "step_up_required");
    await unchanged();
  });
});
