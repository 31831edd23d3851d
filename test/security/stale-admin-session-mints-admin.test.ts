/**
 * Threat: a stale admin session (left open, or stolen after its step-up
 * expired) mints a new admin: it creates an admin user, follows that user's
 * invitation link, and uses the new admin to deactivate the one whose session
 * was taken. Creating a user (with a role), issuing an API key and every admin
 * action on another user (deactivate, reactivate, revoke their key) now need a
 * fresh step-up, whether or not the acting admin has 2FA: with 2FA a second
 * factor, without it the password. Refused, they change nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { addUser } from "../helpers/manage-users.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";
import { seedUser } from "../helpers/runtime.js";

describe("security: a stale admin session cannot mint an admin", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());
  const stale = () => t.clock.advance(t.deps.config.stepUpMinutes * 60 + 1);
  const newAdmin = (n: string) => ({ email: `minted-${n}@example.test`, displayName: "Minted", role: "admin" });

  it("an admin without 2FA: every admin action is step_up_required until the password confirms", async () => {
    const { user: admin, password } = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const other = await addUser(t.deps, admin.accountId);
    const token = await api.sessionFor(admin.email, password);
    const { body: key } = await api.post(`/api/me/api-keys`, { name: "Other's", expiresInDays: 30 }, await api.sessionFor(other.user.email, other.password));
    stale();
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/admin/users", newAdmin("a"), token), 403, "step_up_required");
      assertApiError(await api.post("/api/me/api-keys", { name: "Mine", expiresInDays: 30 }, token), 403, "step_up_required");
      assertApiError(await api.post(`/api/admin/users/${other.user.id}/deactivate`, undefined, token), 403, "step_up_required");
      assertApiError(await api.request("DELETE", `/api/admin/users/${other.user.id}/api-keys/${key.id}`, { token }), 403, "step_up_required");
    });
    assert.equal(await t.deps.store.accounts.findUserByEmail("minted-a@example.test"), undefined, "no admin was minted");

    assertApiError(await api.post("/api/me/step-up", { password: "not the password" }, token), 401, "password_incorrect", "password");
    assert.equal((await api.post("/api/me/step-up", { password }, token)).status, 200);
    assert.equal((await api.post("/api/admin/users", newAdmin("a"), token)).status, 201);
    assert.equal((await api.post(`/api/admin/users/${other.user.id}/deactivate`, undefined, token)).status, 200);
  });

  it("an admin with 2FA: refused when stale, allowed after a fresh second factor", async () => {
    const cast = await resetCast(t.deps);
    const token = await freshToken(api, cast.admin, t.clock);
    stale();
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/admin/users", newAdmin("b"), token), 403, "step_up_required");
      assertApiError(await api.post(`/api/admin/users/${cast.member.user.id}/deactivate`, undefined, token), 403, "step_up_required");
    });
    const fresh = await freshToken(api, cast.admin, t.clock);
    assert.equal((await api.post("/api/admin/users", newAdmin("b"), fresh)).status, 201);
  });

  it("pages: a stale admin posting Create user is sent to Confirm it's you, and nobody is created", async () => {
    const { user: admin, password } = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const browser = new FormClient(t.app);
    assert.equal((await browser.post("/login", { email: admin.email, password }, { csrfFrom: "/login" })).statusCode, 303);
    stale();
    const refused = await browser.post("/panel/users/new", newAdmin("c"), { csrfFrom: "/panel/users/new" });
    assert.equal(refused.headers.location, "/settings/confirm?next=%2Fpanel%2Fusers%2Fnew");
    assert.equal(await t.deps.store.accounts.findUserByEmail("minted-c@example.test"), undefined);
  });
});
