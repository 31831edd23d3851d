/**
 * Threat: minting a key, which bypasses 2FA, without the second factor
 * (API1 "a fully authenticated session", SECURITY 17, 32). A stolen
 * password gets only a login flow id, not a session; a login that may only
 * enrol has no session either; and a 2FA user's old session whose second
 * factor is no longer fresh must confirm it again first.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, nextCode } from "../helpers/api-client.js";
import { apiLoginWithCode, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("creating an API key without a fresh second factor", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a 2FA user's session whose second factor is stale gets 403 step_up_required; fresh, it works", async () => {
    const enrolled = await enrolTotp(t.deps);
    const token = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, nextCode(enrolled.keyBase32, t.clock));
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);
    assertApiError(await api.post("/api/me/api-keys", { name: "late", expiresInDays: 30 }, token), 403, "step_up_required");
    assert.equal((await t.deps.store.apiKeys.listUserApiKeys(enrolled.user.id)).length, 0);
    const fresh = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, nextCode(enrolled.keyBase32, t.clock));
    assert.equal((await api.post("/api/me/api-keys", { name: "fresh", expiresInDays: 30 }, fresh)).status, 201);
  });

  it("the password alone (a login flow id) cannot create a key", async () => {
    const enrolled = await enrolTotp(t.deps);
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    assertApiError(await api.post("/api/me/api-keys", { name: "stolen", expiresInDays: 30 }, flowId), 401, "not_authenticated");
    const page = await t.app.inject({ method: "GET", url: "/settings/api-keys", cookies: { twostep_login: flowId } });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/login");
    assert.equal((await t.deps.store.apiKeys.listUserApiKeys(enrolled.user.id)).length, 0);
  });

  it("a login that may only enrol (2FA required, none set up) cannot create a key", async () => {
    const day = 86_400_000;
    const { user, password } = await seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - day } });
    const login = await api.post("/api/login", { email: user.email, password });
    assert.equal(login.body.status, "enrolment_required");
    assertApiError(await api.post("/api/me/api-keys", { name: "sneaky", expiresInDays: 30 }, login.body.flowId), 403, "two_factor_enrolment_required");
    const page = await t.app.inject({ method: "POST", url: "/settings/api-keys", cookies: { twostep_login: login.body.flowId }, payload: "name=sneaky&expiresInDays=30", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.notEqual(page.statusCode, 200);
    assert.equal((await t.deps.store.apiKeys.listUserApiKeys(user.id)).length, 0);
  });
});
