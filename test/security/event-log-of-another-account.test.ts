/** Attack: an admin asks for another account's event log, or names a user outside its scope. 403 each time, and the refusal is logged. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { eventLogWorld, password } from "../helpers/event-log-world.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { viewEventLog } from "../../src/services/events/event-log.js";

describe("security: event log of another account", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof eventLogWorld>>;
  before(async () => {
    t = await createTestApp();
    world = await eventLogWorld(t.deps);
  });
  after(() => t.close());

  it("a reseller admin gets 403 for another reseller's users, an unknown user, and the all-accounts log; nothing leaks", async () => {
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(world.admin.email, password);
    for (const user of [world.otherMember.email, world.other.id, world.support.email, "nobody@example.test"]) {
      const response = await api.get(`/api/admin/events?user=${encodeURIComponent(user)}`, token);
      assertApiError(response, 403, "forbidden");
      assert.equal(response.body.events, undefined);
    }
    assertApiError(await api.get("/api/support/events", token), 403, "forbidden");
    assertApiError(await api.get(`/api/support/events?account=${world.other.accountId}`, token), 403, "forbidden");
    const csv = await api.get(`/api/admin/events?format=csv&user=${encodeURIComponent(world.otherMember.email)}`, token);
    assertApiError(csv, 403, "forbidden");
    const denied = await t.deps.store.events.listEvents({ subjectUserId: world.admin.id, limit: 50 });
    assert.ok(denied.some((event) => event.type === "access.denied" && event.detail.action === "events.view" && event.detail.targetUserId === world.otherMember.id));
  });

  it("the service refuses an account id outside the admin's reach; a customer admin cannot read its reseller's log", async () => {
    const admin = await t.deps.store.accounts.findAccountById(world.admin.accountId);
    const actor = { user: world.admin, account: admin!, session: null, via: "api_key" as const };
    const context = { clientAddress: null, userAgent: "test" };
    const other = await viewEventLog(t.deps, actor, { scope: "account", accountId: world.other.accountId }, context);
    assert.equal(other.ok ? "ok" : other.code, "forbidden");
    const own = await viewEventLog(t.deps, actor, { scope: "account", accountId: world.shop.id }, context);
    assert.ok(own.ok, "its customer's account is in reach");
    assert.ok(own.events.every((event) => event.accountId === world.shop.id));
    const buyerActor = { user: { ...world.buyer, role: "admin" as const }, account: world.shop, session: null, via: "api_key" as const };
    const upward = await viewEventLog(t.deps, buyerActor, { scope: "account", accountId: world.admin.accountId }, context);
    assert.equal(upward.ok ? "ok" : upward.code, "forbidden");
  });
});
