/**
 * Attack (or accident): two support agents decide the same request at the same
 * moment, one approving and one rejecting, or one approving twice. Exactly one
 * decision lands: one 200, the rest 409 `reset_request_settled`, one set of events.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { freshToken, resetCast } from "../helpers/reset-requests.js";

describe("security: two reviewers race on one reset request", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("has one winner", async () => {
    const cast = await resetCast(t.deps);
    const filed = await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Lost phone" }, await freshToken(api, cast.admin, t.clock));
    const one = await freshToken(api, cast.support, t.clock);
    const two = await freshToken(api, cast.support2, t.clock);
    const url = `/api/support/reset-requests/${filed.body.id}`;
    const answers = await Promise.all([
      api.post(`${url}/approve`, undefined, one),
      api.post(`${url}/approve`, undefined, two),
      api.post(`${url}/reject`, { reason: "No" }, one),
      api.post(`${url}/reject`, { reason: "No" }, two),
    ]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409, 409, 409]);
    const events = await t.deps.store.events.listEvents({ subjectUserId: cast.member.user.id, limit: 50 });
    const decisions = events.filter((event) => event.type === "two_factor.reset_approved" || event.type === "two_factor.reset_rejected");
    assert.equal(decisions.length, 1, "one decision recorded");
    const winner = answers.find((answer) => answer.status === 200)!;
    assert.equal((await t.deps.store.resetRequests.findResetRequest(filed.body.id))?.status, winner.body.status);
  });
});
