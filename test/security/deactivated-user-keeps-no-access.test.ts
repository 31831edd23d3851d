/** A deactivated user (A1): their live sessions end at once, and the password login refuses them exactly like a wrong password (no hint the account exists). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { addUser } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("attack: a deactivated user keeps using their session or logs in again", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("the session dies; login, and a reset link asked for, answer as for a wrong password or an unknown email", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const leaver = await addUser(t.deps, admin.user.accountId);
    const api = new ApiClient(t.app);
    const adminToken = await api.sessionFor(admin.user.email, admin.password);
    const sessions = [await api.sessionFor(leaver.user.email, leaver.password), await api.sessionFor(leaver.user.email, leaver.password)];
    assert.equal((await api.post(`/api/admin/users/${leaver.user.id}/deactivate`, undefined, adminToken)).status, 200);
    for (const token of sessions) assert.equal((await api.get("/api/me/security", token)).status, 401);
    const refused = await api.post("/api/login", { email: leaver.user.email, password: leaver.password });
    const wrong = await api.post("/api/login", { email: leaver.user.email, password: "not the password at all" });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, wrong.body, "the right password of a deactivated user looks like a wrong one");
    const reset = await api.post("/api/password-reset/request", { email: leaver.user.email });
    const unknown = await api.post("/api/password-reset/request", { email: `nobody-${Date.now()}@example.test` });
    assert.deepEqual([reset.status, reset.body], [unknown.status, unknown.body]);
  });
});
