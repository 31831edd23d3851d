/** API1 through the JSON API: create (shown once), list, use on the platform API, revoke; admins revoke their users' keys. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, nextCode } from "../helpers/api-client.js";
import { apiLoginWithCode, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { createUser } from "../../src/services/access/users.js";

describe("API: API keys and the platform API", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a user with 2FA creates a key once, sees it listed without the key, uses it on the platform API, and revokes it", async () => {
    const enrolled = await enrolTotp(t.deps);
    const token = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, nextCode(enrolled.keyBase32, t.clock));
    const created = await api.post("/api/me/api-keys", { name: "deploy script", expiresInDays: 90 }, token);
    assert.equal(created.status, 201, created.raw.body);
    const key = created.body.key as string;
    assert.match(key, /^tsk_[a-z2-7]{8}[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body.name, "deploy script");
    assert.equal(created.body.prefix, key.slice(0, 12));
    assert.equal(created.body.last4, key.slice(-4));
    assert.equal(created.body.expiresAt, new Date(t.clock.now() + 90 * 86_400_000).toISOString());

    const listed = await api.get("/api/me/api-keys", token);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.apiKeys.length, 1);
    assert.equal(listed.body.apiKeys[0].status, "active");
    assert.equal(listed.body.apiKeys[0].lastUsedAt, null);
    assert.ok(!listed.raw.body.includes(key), "the list never holds the key");

    const me = await api.get("/api/platform/v1/me", key);
    assert.equal(me.status, 200, me.raw.body);
    assert.equal(me.body.user.id, enrolled.user.id);
    assert.equal(me.body.account.id, enrolled.user.accountId);
    assert.equal((await api.get("/api/me/api-keys", token)).body.apiKeys[0].lastUsedAt, new Date(t.clock.now()).toISOString(), "last use shown");

    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 5 });
    const createdEvent = events.find((event) => event.type === "api_key.created");
    assert.deepEqual(createdEvent?.detail, { name: "deploy script", id: created.body.id });
    const email = (await t.deps.store.messages.listMessages(100)).find((message) => message.kind === "api_key_created" && message.recipient === enrolled.user.email);
    assert.match(email?.textBody ?? "", /An API key named "deploy script" was created/);

    const revoked = await api.request("DELETE", `/api/me/api-keys/${created.body.id}`, { token });
    assert.equal(revoked.status, 204, revoked.raw.body);
    assertApiError(await api.get("/api/platform/v1/me", key), 401, "invalid_api_key");
    assert.equal((await api.get("/api/me/api-keys", token)).body.apiKeys[0].status, "revoked");
    assert.equal((await api.request("DELETE", `/api/me/api-keys/${created.body.id}`, { token })).status, 204, "revoking twice is not an error");
    assert.equal((await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 10 })).filter((event) => event.type === "api_key.revoked").length, 1);
  });

  it("checks the name and the expiry next to their fields", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    assertApiError(await api.post("/api/me/api-keys", { name: "  ", expiresInDays: 30 }, token), 400, "invalid_api_key_name", "name");
    assertApiError(await api.post("/api/me/api-keys", { name: "x".repeat(65), expiresInDays: 30 }, token), 400, "invalid_api_key_name", "name");
    assertApiError(await api.post("/api/me/api-keys", { name: "ok", expiresInDays: 0 }, token), 400, "invalid_api_key_expiry", "expiresInDays");
    assertApiError(await api.post("/api/me/api-keys", { name: "ok", expiresInDays: 366 }, token), 400, "invalid_api_key_expiry", "expiresInDays");
    assert.equal((await api.post("/api/me/api-keys", { name: "x".repeat(64), expiresInDays: 365 }, token)).status, 201);
  });

  it("an account admin lists and revokes a user's key; a member cannot touch someone else's; another account's admin gets 403", async () => {
    const admin = await seedUser(t.deps, { role: "admin" });
    const member = await createUser(t.deps, { accountId: admin.user.accountId, email: `member-${Date.now()}@example.test`, password: "correct horse battery", role: "member" }, { clientAddress: null, userAgent: "test" });
    assert.ok(member.ok);
    const memberToken = await api.sessionFor(member.user.email, "correct horse battery");
    const created = await api.post("/api/me/api-keys", { name: "member key", expiresInDays: 30 }, memberToken);
    assert.equal(created.status, 201);

    const stranger = await seedUser(t.deps, { role: "admin" });
    const strangerToken = await api.sessionFor(stranger.user.email, stranger.password);
    assertApiError(await api.get(`/api/admin/users/${member.user.id}/api-keys`, strangerToken), 403, "forbidden");
    assertApiError(await api.request("DELETE", `/api/admin/users/${member.user.id}/api-keys/${created.body.id}`, { token: strangerToken }), 403, "forbidden");
    assertApiError(await api.request("DELETE", `/api/me/api-keys/${created.body.id}`, { token: strangerToken }), 404, "api_key_not_found");

    const adminToken = await api.sessionFor(admin.user.email, admin.password);
    const listed = await api.get(`/api/admin/users/${member.user.id}/api-keys`, adminToken);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.apiKeys[0].name, "member key");
    assertApiError(await api.request("DELETE", `/api/admin/users/${admin.user.id}/api-keys/${created.body.id}`, { token: adminToken }), 404, "api_key_not_found");
    assert.equal((await api.request("DELETE", `/api/admin/users/${member.user.id}/api-keys/${created.body.id}`, { token: adminToken })).status, 204);
    assertApiError(await api.get("/api/platform/v1/me", created.body.key), 401, "invalid_api_key");
    const [event] = (await t.deps.store.events.listEvents({ subjectUserId: member.user.id, limit: 5 })).filter((e) => e.type === "api_key.revoked");
    assert.equal(event?.actorUserId, admin.user.id);
  });

  it("documents the platform API with an apiKey bearer scheme", async () => {
    const spec = (await api.get("/api/openapi.json")).body;
    assert.equal(spec.components.securitySchemes.apiKey.scheme, "bearer");
    assert.deepEqual(spec.paths["/api/platform/v1/me"].get.security, [{ apiKey: [] }]);
    assert.deepEqual(spec.paths["/api/me/api-keys"].post.security, [{ session: [] }]);
  });
});
