/**
 * Threat: a login begun before a password reset, finished after it. Someone
 * who had the old password starts a login (the pending second step), the user
 * resets the password because of it, and the attacker then enters a right
 * code (a shoulder-surfed one, a phished one, a recovery code) on the old
 * flow and gets a session: the reset ended sessions but not logins in
 * progress. A reset, a password change and an admin deactivation now end
 * every pending login flow of the user, in the same transaction.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, nextCode } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

describe("security: a reset ends the logins in progress", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a flow begun with the old password gets no session after the reset, whatever code it brings", async () => {
    const enrolled = await enrolTotp(t.deps);
    const attacker = new ApiClient(t.app, "192.0.2.66");
    const begun = await attacker.flowFor(enrolled.user.email, enrolled.password);
    await api.post("/api/password-reset/request", { email: enrolled.user.email });
    const done = await api.post("/api/password-reset/complete", { token: (await resetLinkFor(t.deps, enrolled.user.email)).token, newPassword: "a brand new password 42" });
    assert.equal(done.body.status, "second_factor_required", done.raw.body);

    assertApiError(await attacker.post("/api/login/second-factor", { flowId: begun, code: nextCode(enrolled.keyBase32, t.clock) }), 401, "login_expired");
    assertApiError(await attacker.post("/api/login/recovery-code", { flowId: begun, code: enrolled.recoveryCodes[0] }), 401, "login_expired");
    // The reset's own second step, begun after it, still works.
    const finished = await api.post("/api/login/second-factor", { flowId: done.body.flowId, code: nextCode(enrolled.keyBase32, t.clock) });
    assert.equal(finished.status, 200, finished.raw.body);
  });

  it("an admin's deactivation ends the user's pending login too", async () => {
    const cast = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const attacker = new ApiClient(t.app, "192.0.2.67");
    const begun = await attacker.flowFor(cast.member.user.email, cast.member.password);
    assert.equal((await api.post(`/api/admin/users/${cast.member.user.id}/deactivate`, undefined, adminToken)).status, 200);
    const refused = await attacker.post("/api/login/second-factor", { flowId: begun, code: nextCode(cast.member.keyBase32, t.clock) });
    assert.equal(refused.body.sessionToken, undefined, refused.raw.body);
    assert.equal(refused.status, 401, refused.raw.body);
    const flows = await t.database.db.selectFrom("login_flows").select(["expires_at", "state"]).where("user_id", "=", cast.member.user.id).execute();
    assert.ok(flows.every((flow) => Number(flow.expires_at) <= t.clock.now()), "every flow of the deactivated user has ended");
  });
});
