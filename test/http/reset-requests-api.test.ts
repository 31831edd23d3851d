/**
 * A2 in the JSON API: a reseller admin files a 2FA reset request for a member
 * who lost their device; platform support lists it, reads it, approves (the
 * member's 2FA, codes and sessions go) or rejects with a reason. Emails go to
 * the member and the filing admin; events are in the member's log.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, type ObservedTestApp, createObservedTestApp } from "../helpers/api-client.js";
import { freshToken, resetCast, userIn, type ResetCast } from "../helpers/reset-requests.js";

describe("API: 2FA reset requests (lost device and no codes)", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  const mails = async (to: string) => (await t.deps.store.messages.listMessages(1_000)).filter((message) => message.recipient === to);

  it("file → queue → review page → approve: the member's 2FA is gone and both are told", async () => {
    const cast: ResetCast = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const memberToken = await freshToken(api, cast.member, t.clock);

    const filed = await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Phone lost on a train, no recovery codes" }, adminToken);
    assert.equal(filed.status, 201, filed.raw.body);
    assert.equal(filed.body.status, "pending");
    const id = filed.body.id as string;

    assertApiError(await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "again" }, adminToken), 409, "reset_request_pending");
    assertApiError(await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "" }, adminToken), 400, "invalid_reason", "reason");
    assertApiError(await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "x".repeat(501) }, adminToken), 400, "invalid_reason", "reason");

    const supportToken = await freshToken(api, cast.support, t.clock);
    const queue = await api.get("/api/support/reset-requests", supportToken);
    assert.equal(queue.status, 200, queue.raw.body);
    const row = queue.body.requests.find((request: { id: string }) => request.id === id);
    assert.equal(row.user.id, cast.member.user.id);
    assert.equal(row.filedBy.id, cast.admin.user.id);
    assert.equal(row.account.name, cast.reseller.name);
    assert.equal(row.reason, "Phone lost on a train, no recovery codes");

    const shown = await api.get(`/api/support/reset-requests/${id}`, supportToken);
    assert.equal(shown.status, 200, shown.raw.body);
    assert.equal(shown.body.userHasTwoFactor, true);
    assert.ok(shown.body.recentEvents.some((event: { type: string }) => event.type === "two_factor.reset_requested"));

    assertApiError(await api.get(`/api/support/reset-requests`, adminToken), 403, "forbidden");
    assertApiError(await api.post(`/api/support/reset-requests/${id}/approve`, undefined, adminToken), 403, "forbidden");

    const approved = await api.post(`/api/support/reset-requests/${id}/approve`, undefined, supportToken);
    assert.equal(approved.status, 200, approved.raw.body);
    assert.deepEqual(approved.body, { id, status: "approved" });
    assertApiError(await api.post(`/api/support/reset-requests/${id}/reject`, { reason: "late" }, supportToken), 409, "reset_request_settled");

    assert.deepEqual(await t.deps.store.methods.listMethods(cast.member.user.id), []);
    assert.equal((await api.get("/api/me/security", memberToken)).status, 401, "the member's sessions ended");
    assert.ok(await api.sessionFor(cast.member.user.email, cast.member.password), "the password alone signs in");

    const events = await t.deps.store.events.listEvents({ subjectUserId: cast.member.user.id, limit: 50 });
    const byType = (type: string) => events.find((event) => event.type === type);
    assert.equal(byType("two_factor.reset_requested")?.actorUserId, cast.admin.user.id);
    assert.equal(byType("two_factor.reset_approved")?.actorUserId, cast.support.user.id);
    assert.equal(byType("two_factor.disabled")?.actorUserId, cast.support.user.id);

    for (const to of [cast.member.user.email, cast.admin.user.email]) {
      const kinds = (await mails(to)).map((message) => message.kind);
      assert.ok(kinds.includes("reset_request_filed"), `${to} told of the filing`);
      assert.ok(kinds.includes("reset_request_approved"), `${to} told of the approval`);
    }
    const adminMail = (await mails(cast.admin.user.email)).find((message) => message.kind === "reset_request_approved")!;
    assert.match(adminMail.textBody, /Max Member's account/);
    assert.match(adminMail.textBody, /Sam Support/);
  });

  it("reject needs a reason, which both are told; the request leaves the queue and a new one may be filed", async () => {
    const cast = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const id = (await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Lost it" }, adminToken)).body.id as string;
    const supportToken = await freshToken(api, cast.support, t.clock);
    assertApiError(await api.post(`/api/support/reset-requests/${id}/reject`, { reason: "  " }, supportToken), 400, "invalid_reason", "reason");
    const rejected = await api.post(`/api/support/reset-requests/${id}/reject`, { reason: "Could not confirm the caller's identity" }, supportToken);
    assert.deepEqual(rejected.body, { id, status: "rejected" });
    assert.equal((await t.deps.store.methods.listMethods(cast.member.user.id)).length, 1, "2FA stays on");
    const memberMail = (await mails(cast.member.user.email)).find((message) => message.kind === "reset_request_rejected")!;
    assert.match(memberMail.textBody, /Could not confirm the caller's identity/);
    assert.ok((await mails(cast.admin.user.email)).some((message) => message.kind === "reset_request_rejected"));
    const pending = await api.get("/api/support/reset-requests?status=pending", supportToken);
    assert.ok(!pending.body.requests.some((request: { id: string }) => request.id === id));
    const all = await api.get("/api/support/reset-requests?status=all", supportToken);
    assert.equal(all.body.requests.find((request: { id: string }) => request.id === id).reviewReason, "Could not confirm the caller's identity");
    assert.equal((await api.post(`/api/admin/users/${cast.member.user.id}/reset-requests`, { reason: "Lost it, here is more detail" }, adminToken)).status, 201);
  });

  it("refuses a user without 2FA (409), an unknown user (404), an unknown request (404), and pages the queue", async () => {
    const cast = await resetCast(t.deps);
    const adminToken = await freshToken(api, cast.admin, t.clock);
    const { user } = await (async () => {
      const created = await userIn(t.deps, cast.reseller, "member", "Nora None");
      await t.deps.store.methods.deleteAllMethods(created.user.id);
      return created;
    })();
    assertApiError(await api.post(`/api/admin/users/${user.id}/reset-requests`, { reason: "Lost" }, adminToken), 409, "two_factor_not_enabled");
    assertApiError(await api.post(`/api/admin/users/00000000-0000-4000-8000-000000000000/reset-requests`, { reason: "Lost" }, adminToken), 404, "user_not_found");
    const supportToken = await freshToken(api, cast.support, t.clock);
    assertApiError(await api.get(`/api/support/reset-requests/00000000-0000-4000-8000-000000000000`, supportToken), 404, "reset_request_not_found");

    for (const name of ["One", "Two", "Three"]) {
      const someone = await userIn(t.deps, cast.reseller, "member", `Pager ${name}`);
      t.clock.advance(1);
      assert.equal((await api.post(`/api/admin/users/${someone.user.id}/reset-requests`, { reason: name }, adminToken)).status, 201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.get(`/api/support/reset-requests?status=pending${cursor ? `&cursor=${cursor}` : ""}`, supportToken);
      assert.equal(page.status, 200, page.raw.body);
      seen.push(...page.body.requests.map((request: { reason: string }) => request.reason));
      cursor = page.body.next;
    } while (cursor);
    const mine = seen.filter((reason) => ["One", "Two", "Three"].includes(reason));
    assert.deepEqual(mine, ["One", "Two", "Three"], "oldest first");
  });
});
