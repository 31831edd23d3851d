/**
 * Threat: a key that should be dead still working (API1 "revocable"). A
 * revoked key, an expired key and the key of a deactivated user are each
 * refused at once with 401 `invalid_api_key`, and nothing about the user is
 * answered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { createKeyThroughApi } from "../helpers/api-keys.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("revoked, expired and deactivated users' keys", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  async function userWithKey(expiresInDays = 30) {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    return { user, token, ...(await createKeyThroughApi(api, token, "key", expiresInDays)) };
  }

  it("a revoked key stops at once", async () => {
    const { key, id, token } = await userWithKey();
    assert.equal((await api.get("/api/platform/v1/me", key)).status, 200);
    assert.equal((await api.request("DELETE", `/api/me/api-keys/${id}`, { token })).status, 204);
    const refused = await api.get("/api/platform/v1/me", key);
    assertApiError(refused, 401, "invalid_api_key");
    assert.ok(!refused.raw.body.includes("@"), "nothing about the user");
  });

  it("an expired key stops at its expiry and is listed as expired", async () => {
    const { key, user } = await userWithKey(1);
    t.clock.advance(86_400 - 1);
    assert.equal((await api.get("/api/platform/v1/me", key)).status, 200);
    t.clock.advance(1);
    assertApiError(await api.get("/api/platform/v1/me", key), 401, "invalid_api_key");
    const fresh = await api.sessionFor(user.email, "correct horse battery");
    assert.equal((await api.get("/api/me/api-keys", fresh)).body.apiKeys[0].status, "expired");
  });

  it("a deactivated user's key is refused, and works again only if the user is reactivated", async () => {
    const { user, key } = await userWithKey();
    await t.deps.store.accounts.setUserActive(user.id, false);
    assertApiError(await api.get("/api/platform/v1/me", key), 401, "invalid_api_key");
    await t.deps.store.accounts.setUserActive(user.id, true);
    assert.equal((await api.get("/api/platform/v1/me", key)).status, 200);
  });
});
