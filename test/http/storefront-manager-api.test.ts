/** A3 in the JSON API: customers, a customer's users with twoFactorEnabled, and disabling (step-up, 409 when off). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { apiLoginWithTotp, seedReseller, type Reseller } from "../helpers/storefront.js";

describe("API: the storefront manager", () => {
  let t: TestApp;
  let acme: Reseller;
  let token: string;
  const api = () => new ApiClient(t.app);
  before(async () => {
    t = await createTestApp();
    acme = await seedReseller(t.deps, "Acme");
    token = await apiLoginWithTotp(t, acme.admin);
  });
  after(() => t.close());

  it("lists customers, shows one, disables a user's 2FA once, then 409", async () => {
    const list = await api().get("/api/storefront/customers", token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.customers, [{ account: { id: acme.customer.id, name: acme.customer.name }, users: 2, usersWithTwoFactor: 1 }]);
    assert.equal(list.body.nextCursor, null);
    assert.equal(list.body.reseller.id, acme.account.id);

    const shown = await api().get(`/api/storefront/customers/${acme.customer.id}`, token);
    assert.equal(shown.status, 200);
    const byId = Object.fromEntries(shown.body.users.map((user: { id: string }) => [user.id, user]));
    assert.equal(byId[acme.enrolled.user.id].twoFactorEnabled, true);
    assert.deepEqual(byId[acme.enrolled.user.id].methods, ["totp"]);
    assert.equal(byId[acme.plain.user.id].twoFactorEnabled, false);
    assert.doesNotMatch(JSON.stringify(shown.body), /secret|passwordHash|argon2/i);

    const path = `/api/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/two-factor/disable`;
    const disabled = await api().post(path, undefined, token);
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.deepEqual(disabled.body, { disabled: true, user: { id: acme.enrolled.user.id, email: acme.enrolled.user.email, displayName: "Acme Buyer" } });
    const again = await api().post(path, undefined, token);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "two_factor_not_enabled");
    const plain = await api().post(`/api/storefront/customers/${acme.customer.id}/users/${acme.plain.user.id}/two-factor/disable`, undefined, token);
    assert.equal(plain.body.code, "two_factor_not_enabled");
    const events = await t.deps.store.events.listEvents({ subjectUserId: acme.enrolled.user.id, limit: 5 });
    assert.equal(events.filter((event) => event.type === "two_factor.disabled").length, 1, "recorded once");
  });

  it("refuses a user id under the wrong account path, bad ids, and no session", async () => {
    const other = await seedReseller(t.deps, "Other");
    const mixed = await api().post(`/api/storefront/customers/${acme.customer.id}/users/${other.enrolled.user.id}/two-factor/disable`, undefined, token);
    assert.equal(mixed.status, 404);
    assert.equal((await api().get("/api/storefront/customers/not%20an%20id", token)).status, 400);
    assert.equal((await api().get("/api/storefront/customers")).status, 401);
    assert.equal((await t.deps.store.methods.listMethods(other.enrolled.user.id)).length, 1);
  });

  it("is documented in OpenAPI under the storefront tag with the session scheme", async () => {
    const spec = (await api().get("/api/openapi.json")).body;
    for (const [path, method] of [
      ["/api/storefront/customers", "get"],
      ["/api/storefront/customers/{accountId}", "get"],
      ["/api/storefront/customers/{accountId}/users/{userId}/two-factor/disable", "post"],
    ] as const) {
      const operation = spec.paths[path]?.[method];
      assert.ok(operation, `${method} ${path}`);
      assert.deepEqual(operation.tags, ["storefront"]);
      assert.deepEqual(operation.security, [{ session: [] }]);
    }
  });
});
