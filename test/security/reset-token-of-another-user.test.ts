/**
 * Threat: a reset token acting for someone other than its user, or a guessed
 * or tampered token working at all. The token names nobody in the request:
 * the stored row (by the token's hash) decides whose password changes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("a reset token acts only for its own user", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("the attacker's own token changes the attacker's password, never the victim's, whatever else the request says", async () => {
    const api = new ApiClient(t.app);
    const attacker = await seedUser(t.deps);
    const victim = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: attacker.user.email });
    const { token } = await resetLinkFor(t.deps, attacker.user.email);
    const smuggled = await api.post("/api/password-reset/complete", { token, newPassword: "attacker chosen password", email: victim.user.email });
    assert.deepEqual([smuggled.status, smuggled.body.code], [400, "unknown_field"], "no field can name a user");
    const done = await api.post("/api/password-reset/complete", { token, newPassword: "attacker chosen password" });
    assert.equal(done.body.status, "authenticated");
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(victim.user.id))!.passwordHash, victim.password), "the victim's password is untouched");
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(attacker.user.id))!.passwordHash, "attacker chosen password"));
  });

  it("a tampered token (one character changed, cut, extended) is refused and uses nothing up", async () => {
    const api = new ApiClient(t.app);
    const { user, password } = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: user.email });
    const { token } = await resetLinkFor(t.deps, user.email);
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const tampered of [flipped, token.slice(0, -1), `${token}A`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()]) {
      const refused = await api.post("/api/password-reset/complete", { token: tampered, newPassword: "a tampered new password" });
      assert.deepEqual([refused.status, refused.body.code, refused.body.field], [400, "reset_link_invalid", "token"], tampered);
    }
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(user.id))!.passwordHash, password));
    assert.equal((await api.post("/api/password-reset/complete", { token, newPassword: "the real new password" })).status, 200, "the real link still works");
  });

  it("a deactivated user's link does nothing", async () => {
    const api = new ApiClient(t.app);
    const { user } = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: user.email });
    const { token } = await resetLinkFor(t.deps, user.email);
    await t.database.db.updateTable("users").set({ active: 0 } as never).where("id", "=", user.id).execute();
    assert.equal((await api.post("/api/password-reset/complete", { token, newPassword: "a new password for nobody" })).body.code, "reset_link_invalid");
  });
});
