/**
 * Threat: an API key used where only a signed-in session belongs (SECURITY 32).
 * A key bypasses 2FA by design, so it must not reach the session's own routes:
 * no security settings, no new keys, no pages. Every /api/me route answers a
 * key with 401 `session_required` and changes nothing; the platform API has no
 * route that manages keys.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, listRoutes, type ObservedTestApp } from "../helpers/api-client.js";
import { createKeyThroughApi } from "../helpers/api-keys.js";
import { seedUser } from "../helpers/runtime.js";

describe("an API key on the session's routes", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("every /api/me and /api/admin route refuses a key as Bearer with 401 session_required, changing nothing", async () => {
    const { user, password } = await seedUser(t.deps, { role: "admin" });
    const token = await api.sessionFor(user.email, password);
    const { key, id } = await createKeyThroughApi(api, token);
    assert.equal((await api.get("/api/platform/v1/me", key)).status, 200, "the key itself works where it belongs");

    assertApiError(await api.get("/api/me/security", key), 401, "session_required");
    const routes = listRoutes(t.app).filter((route) => /^\/api\/(me|admin)\//.test(route.url));
    assert.ok(routes.length >= 8, "the session routes are found");
    await assertChangesNothing(t, async () => {
      for (const route of routes) {
        const url = route.url.replace(/:userId/g, user.id).replace(/:id/g, id).replace(/:[A-Za-z]+/g, "00000000-0000-4000-8000-000000000000");
        const response = await api.request(route.method as "GET", url, { token: key, ...(route.method === "GET" || route.method === "DELETE" ? {} : { json: { name: "minted", expiresInDays: 30, password } }) });
        assert.equal(response.status, 401, `${route.method} ${url}: ${response.raw.body}`);
        assert.equal(response.body.code, "session_required", `${route.method} ${url}`);
      }
    });
  });

  it("a key as the session cookie gets no page, and the platform API has no route to make or list keys", async () => {
    const { user, password } = await seedUser(t.deps);
    const { key } = await createKeyThroughApi(api, await api.sessionFor(user.email, password));
    for (const url of ["/settings/security", "/settings/api-keys"]) {
      const page = await t.app.inject({ method: "GET", url, cookies: { twostep_session: key } });
      assert.equal(page.statusCode, 303, url);
      assert.equal(page.headers.location, "/login");
    }
    const platformRoutes = listRoutes(t.app).filter((route) => route.url.startsWith("/api/platform/"));
    assert.ok(platformRoutes.length > 0);
    assert.ok(platformRoutes.every((route) => !/api-keys|security|two-factor|recovery/.test(route.url)), JSON.stringify(platformRoutes));
    for (const url of ["/api/platform/v1/api-keys", "/api/platform/v1/me/api-keys"]) {
      assertApiError(await api.post(url, { name: "minted", expiresInDays: 30 }, key), 404, "not_found");
    }
    assert.equal((await t.deps.store.apiKeys.listUserApiKeys(user.id)).length, 1, "no second key");
  });
});
