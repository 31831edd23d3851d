/** A1 in the JSON API: list with 2FA status and coverage, filter, search, keyset pages; create with an invitation; deactivate and reactivate. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { addUser, giveMethod, invitationFor } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("api: manage users (A1)", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  async function adminWithUsers() {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin", email: `aaa-admin-${Date.now()}@example.test` });
    const accountId = admin.user.accountId;
    const alice = await addUser(t.deps, accountId, { email: `alice-${Date.now()}@example.test`, displayName: "Alice Archer" });
    const bob = await addUser(t.deps, accountId, { email: `bob-${Date.now()}@example.test`, displayName: "Bob Baker" });
    const carol = await addUser(t.deps, accountId, { email: `carol-${Date.now()}@example.test`, displayName: "Carol Cook" });
    await giveMethod(t.deps, alice.user.id, "totp");
    await giveMethod(t.deps, alice.user.id, "sms");
    await giveMethod(t.deps, carol.user.id, "sms");
    const token = await api.sessionFor(admin.user.email, admin.password);
    return { admin, alice, bob, carol, token };
  }

  it("lists the account's users with 2FA status, methods and last login, and the coverage of the whole account", async () => {
    const { admin, alice, bob, token } = await adminWithUsers();
    const list = await api.get("/api/admin/users", token);
    assert.equal(list.status, 200, list.raw.body);
    assert.deepEqual(list.body.coverage, { total: 4, withTwoFactor: 2 });
    assert.deepEqual(list.body.users.map((user: any) => user.email), [admin.user.email, alice.user.email, bob.user.email, list.body.users[3].email]);
    const aliceRow = list.body.users[1];
    assert.equal(aliceRow.twoFactorEnabled, true);
    assert.deepEqual(aliceRow.methods, ["sms", "totp"]);
    assert.equal(list.body.users[2].twoFactorEnabled, false);
    assert.ok(list.body.users[0].lastLoginAt, "the admin just logged in");
    assert.equal(list.body.users[2].lastLoginAt, null);
    assert.equal(list.body.nextCursor, null);
    assert.ok(!JSON.stringify(list.body).includes("passwordHash"), "no hash leaves the service");

    const without = await api.get("/api/admin/users?withoutTwoFactor=true", token);
    assert.deepEqual(without.body.users.map((user: any) => user.email), [admin.user.email, bob.user.email]);
    assert.deepEqual(without.body.coverage, { total: 4, withTwoFactor: 2 }, "coverage is the account's, not the filter's");
    const byName = await api.get("/api/admin/users?search=bob%20b", token);
    assert.deepEqual(byName.body.users.map((user: any) => user.email), [bob.user.email]);
    const byEmail = await api.get(`/api/admin/users?search=${encodeURIComponent(alice.user.email.slice(0, 8).toUpperCase())}`, token);
    assert.deepEqual(byEmail.body.users.map((user: any) => user.email), [alice.user.email]);
    assert.deepEqual((await api.get("/api/admin/users?search=a%25", token)).body.users, [], "LIKE wildcards are literal");
  });

  it("pages by keyset cursor in email order, every user exactly once", async () => {
    const { token } = await adminWithUsers();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ApiClient["get"]>> = await api.get(`/api/admin/users?limit=3${cursor ? `&cursor=${cursor}` : ""}`, token);
      assert.equal(page.status, 200, page.raw.body);
      assert.ok(page.body.users.length <= 3);
      seen.push(...page.body.users.map((user: any) => user.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 4);
    assert.deepEqual(seen, [...seen].sort());
    assertApiError(await api.get("/api/admin/users?cursor=!!", token), 400, "invalid_cursor", "cursor");
  });

  it("creates a user with no usable password; the invitation link sets it once, then they log in", async () => {
    const { admin, token } = await adminWithUsers();
    const email = `new-${Date.now()}@example.test`;
    const created = await api.post("/api/admin/users", { email: email.toUpperCase(), displayName: "Nora New", role: "member" }, token);
    assert.equal(created.status, 201, created.raw.body);
    assert.equal(created.body.user.email, email);
    assert.equal(created.body.user.twoFactorEnabled, false);
    const events = await t.deps.store.events.listEvents({ subjectUserId: created.body.user.id, limit: 5 });
    assert.ok(events.some((event) => event.type === "user.created" && event.actorUserId === admin.user.id));
    assertApiError(await api.post("/api/login", { email, password: "correct horse battery" }), 401, "invalid_credentials");
    const invitation = await invitationFor(t.deps, email);
    assert.match(invitation.text, /invited you/);
    const set = await api.post("/api/password-reset/complete", { token: invitation.token, newPassword: "a brand new password" });
    assert.equal(set.status, 200, set.raw.body);
    assert.equal((await api.post("/api/password-reset/complete", { token: invitation.token, newPassword: "another new password" })).status, 400, "single use");
    assert.ok(await api.sessionFor(email, "a brand new password"));

    assertApiError(await api.post("/api/admin/users", { email, displayName: "Again", role: "member" }, token), 409, "email_taken", "email");
    assertApiError(await api.post("/api/admin/users", { email: "not-an-email", displayName: "X", role: "member" }, token), 400, "invalid_email", "email");
    assertApiError(await api.post("/api/admin/users", { email: `x-${Date.now()}@example.test`, displayName: "  ", role: "member" }, token), 400, "invalid_display_name", "displayName");
    assertApiError(await api.post("/api/admin/users", { email: `y-${Date.now()}@example.test`, displayName: "Sam", role: "support" }, token), 400, "invalid_role", "role");
  });

  it("deactivates a user: their session dies, login is refused like a wrong password, they are told; reactivation undoes it", async () => {
    const { admin, bob, token } = await adminWithUsers();
    const bobToken = await api.sessionFor(bob.user.email, bob.password);
    const done = await api.post(`/api/admin/users/${bob.user.id}/deactivate`, undefined, token);
    assert.equal(done.status, 200, done.raw.body);
    assert.equal(done.body.user.active, false);
    assertApiError(await api.get("/api/me/security", bobToken), 401, "not_authenticated");
    assertApiError(await api.post("/api/login", { email: bob.user.email, password: bob.password }), 401, "invalid_credentials");
    const mail = (await t.deps.store.messages.listMessages(500)).filter((message) => message.recipient === bob.user.email).map((message) => message.kind);
    assert.ok(mail.includes("user_deactivated"));
    const events = await t.deps.store.events.listEvents({ subjectUserId: bob.user.id, limit: 10 });
    assert.ok(events.some((event) => event.type === "user.deactivated" && event.actorUserId === admin.user.id));

    assertApiError(await api.post(`/api/admin/users/${admin.user.id}/deactivate`, undefined, token), 409, "cannot_deactivate_self");
    const back = await api.post(`/api/admin/users/${bob.user.id}/reactivate`, undefined, token);
    assert.equal(back.body.user.active, true);
    assert.ok(await api.sessionFor(bob.user.email, bob.password));
    const one = await api.get(`/api/admin/users/${bob.user.id}`, token);
    assert.equal(one.body.user.email, bob.user.email);
  });

  it("documents the routes under the admin tag", async () => {
    const spec = (await api.get("/api/openapi.json")).body;
    for (const path of ["/api/admin/users", "/api/admin/users/{userId}", "/api/admin/users/{userId}/deactivate", "/api/admin/users/{userId}/reactivate"]) {
      const operations = Object.values(spec.paths[path] ?? {}) as any[];
      assert.ok(operations.length > 0, path);
      for (const operation of operations) assert.deepEqual(operation.tags, ["admin"]);
    }
  });
});
