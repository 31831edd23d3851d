/**
 * Attack: a stolen or left-open session, older than the step-up window, files a
 * 2FA reset request (admin) or approves one (support). Both are 403
 * `step_up_required` and change nothing; after a fresh login they work.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";

describe("security: acting on another user's 2FA with a stale session", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());
  const stale = () => t.clock.advance(t.deps.config.stepUpMinutes * 60 + 1);

  it("filing and approving need a second factor within the step-up window", async () => {
    const cast = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const supportToken = await freshToken(api, cast.support, t.clock);
    stale();
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Lost phone" }, adminToken), 403, "step_up_required");
    });
    const fresh = await freshToken(api, cast.admin, t.clock);
    const filed = await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Lost phone" }, fresh);
    assert.equal(filed.status, 201, filed.raw.body);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post(`/api/support/reset-requests/${filed.body.id}/approve`, undefined, supportToken), 403, "step_up_required");
      assertApiError(await api.post(`/api/support/reset-requests/${filed.body.id}/reject`, { reason: "No" }, supportToken), 403, "step_up_required");
    });
    assert.equal((await t.deps.store.methods.listMethods(cast.member.user.id)).length, 1);
    const approved = await api.post(`/api/support/reset-requests/${filed.body.id}/approve`, undefined, await freshToken(api, cast.support, t.clock));
    assert.equal(approved.status, 200, approved.raw.body);
  });
});
