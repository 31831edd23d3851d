/** Privilege escalation by URL (SECURITY 32): a member calls the Manage users routes of their own account: 403 everywhere, nothing created or deactivated. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { addUser } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("attack: a member calls the admin routes", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("gets 403 on /api/admin/users and /panel/users, for reading, creating and deactivating", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const member = await addUser(t.deps, admin.user.accountId, { role: "member" });
    const colleague = await addUser(t.deps, admin.user.accountId, { role: "member" });
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(member.user.email, member.password);
    assert.equal((await api.get("/api/admin/users", token)).status, 403);
    assert.equal((await api.get(`/api/admin/users/${colleague.user.id}`, token)).status, 403);
    const email = `sneaky-${Date.now()}@example.test`;
    assert.equal((await api.post("/api/admin/users", { email, displayName: "Sneaky", role: "admin" }, token)).status, 403);
    assert.equal((await api.post(`/api/admin/users/${admin.user.id}/deactivate`, undefined, token)).status, 403);
    assert.equal((await api.post(`/api/admin/users/${colleague.user.id}/deactivate`, undefined, token)).status, 403);

    const browser = new FormClient(t.app);
    await browser.post("/login", { email: member.user.email, password: member.password }, { csrfFrom: "/login" });
    const security = await browser.get("/settings/security");
    assert.doesNotMatch(security.body, /href="\/panel\/users"/, "no link for a member");
    const csrf = await browser.csrfFor("/settings/security");
    assert.equal((await browser.get("/panel/users")).statusCode, 403);
    assert.equal((await browser.get("/panel/users/new")).statusCode, 403);
    assert.equal((await browser.post("/panel/users/new", { email, displayName: "Sneaky", role: "admin" }, { csrf })).statusCode, 403);
    assert.equal((await browser.post(`/panel/users/${admin.user.id}/deactivate`, {}, { csrf })).statusCode, 403);

    assert.equal(await t.deps.store.accounts.findUserByEmail(email), undefined);
    assert.equal((await t.deps.store.accounts.findUserById(admin.user.id))?.active, true);
    assert.equal((await t.deps.store.accounts.findUserById(colleague.user.id))?.active, true);
    const denied = await t.deps.store.events.listEvents({ subjectUserId: member.user.id, limit: 50 });
    assert.ok(denied.filter((event) => event.type === "access.denied").length >= 5, "each refusal is in the member's log");
  });
});
