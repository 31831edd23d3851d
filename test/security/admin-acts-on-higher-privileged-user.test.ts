/**
 * Attack: an account user asks support to strip 2FA from someone above them:
 * a reseller admin files on platform staff, a reseller member files on its
 * admin (or on a colleague), an admin of one reseller files on another
 * reseller's user. All 403 `forbidden`; only the `access.denied` event is written.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, createObservedTestApp, diffSnapshots, type ObservedTestApp } from "../helpers/api-client.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";

describe("security: filing a reset request on a higher-privileged (or foreign) user", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("is refused, and writes nothing but the refusal event", async () => {
    const cast = await resetCast(t.deps);
    const other = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const memberToken = await freshToken(api, cast.member, t.clock);
    const attempts: [string, string][] = [
      [adminToken, cast.support.user.id],
      [adminToken, cast.platformAdmin.user.id],
      [memberToken, cast.admin.user.id],
      [adminToken, other.member.user.id],
      [adminToken, cast.admin.user.id],
    ];
    for (const [token, target] of attempts) {
      const before = await t.snapshot();
      assertApiError(await api.post(`/api/admin/users/${target}/reset-requests`, { reason: "Lost phone" }, token), 403, "forbidden");
      const diff = diffSnapshots(before, await t.snapshot());
      assert.deepEqual(Object.keys(diff), ["events"], `only the refusal is written (${target})`);
      assert.equal(diff.events!.added[0]!.type, "access.denied");
    }
    assert.deepEqual(await t.deps.store.resetRequests.listPendingResetRequests({ limit: 1_000 }), []);
  });
});
