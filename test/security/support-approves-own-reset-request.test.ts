/**
 * Attack: a support agent gets a reset request filed about their own account
 * (by the platform's admin, who may file on its own account's users) and
 * approves it themself, stripping their own 2FA without a second person.
 * The access table never lets support review itself: 403, nothing changes;
 * another support agent can decide it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";

describe("security: support approves a reset request about itself", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("is refused; a colleague may decide", async () => {
    const cast = await resetCast(t.deps);
    const filed = await api.post(`/api/admin/users/${cast.support.user.id}/reset-requests`, { reason: "Lost phone" }, await freshToken(api, cast.platformAdmin, t.clock));
    assert.equal(filed.status, 201, filed.raw.body);
    const selfToken = await freshToken(api, cast.support, t.clock);
    assertApiError(await api.post(`/api/support/reset-requests/${filed.body.id}/approve`, undefined, selfToken), 403, "forbidden");
    assertApiError(await api.get(`/api/support/reset-requests/${filed.body.id}`, selfToken), 403, "forbidden");
    assert.equal((await t.deps.store.resetRequests.findResetRequest(filed.body.id))?.status, "pending");
    assert.equal((await t.deps.store.methods.listMethods(cast.support.user.id)).length, 1);
    const colleague = await api.post(`/api/support/reset-requests/${filed.body.id}/approve`, undefined, await freshToken(api, cast.support2, t.clock));
    assert.equal(colleague.status, 200, colleague.raw.body);
  });
});
