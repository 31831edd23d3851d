/** A4 through the JSON API: scopes, filters, pagination, CSV. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { eventLogWorld, password } from "../helpers/event-log-world.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

describe("api: event logs", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof eventLogWorld>>;
  const api = () => new ApiClient(t.app);
  const tokenOf = (user: { email: string }) => api().sessionFor(user.email, password);
  before(async () => {
    t = await createTestApp();
    world = await eventLogWorld(t.deps);
  });
  after(() => t.close());

  it("a member sees only their own events; the admin's action on them shows in both logs", async () => {
    const token = await tokenOf(world.member);
    const own = await api().get("/api/me/events", token);
    assert.equal(own.status, 200);
    assert.ok(own.body.events.every((event: any) => event.subjectEmail === world.member.email || event.actorEmail === world.member.email));
    assert.ok(own.body.events.some((event: any) => event.type === "method.reset" && event.actorEmail === world.admin.email));
    assert.equal(own.body.nextCursor, null);
    assertApiError(await api().get("/api/admin/events", token), 403, "forbidden");
    assertApiError(await api().get("/api/support/events", token), 403, "forbidden");
    const adminOwn = await api().get("/api/me/events", await tokenOf(world.admin));
    assert.ok(adminOwn.body.events.some((event: any) => event.type === "method.reset" && event.subjectEmail === world.member.email));
  });

  it("a reseller admin sees its account's and customers' events, never another reseller's", async () => {
    const token = await tokenOf(world.admin);
    const log = await api().get("/api/admin/events?limit=200", token);
    assert.equal(log.status, 200);
    const subjects = new Set(log.body.events.map((event: any) => event.subjectEmail));
    assert.ok(subjects.has(world.member.email) && subjects.has(world.buyer.email));
    assert.ok(!subjects.has(world.otherMember.email));
    const buyerOnly = await api().get(`/api/admin/events?user=${encodeURIComponent(world.buyer.email)}`, token);
    assert.ok(buyerOnly.body.events.length > 0 && buyerOnly.body.events.every((event: any) => event.subjectEmail === world.buyer.email || event.actorEmail === world.buyer.email));
    assertApiError(await api().get(`/api/admin/events?user=${encodeURIComponent(world.otherMember.email)}`, token), 403, "forbidden");
  });

  it("support sees every account, filtered by account and type", async () => {
    const token = await tokenOf(world.support);
    const log = await api().get(`/api/support/events?account=${world.other.accountId}&type=password.changed`, token);
    assert.equal(log.status, 200);
    assert.deepEqual(log.body.events.map((event: any) => event.subjectEmail), [world.otherMember.email]);
    assert.equal(log.body.events[0].label, "Password changed");
  });

  it("validates filters with the field, and pages with nextCursor", async () => {
    const token = await tokenOf(world.member);
    assertApiError(await api().get("/api/me/events?type=nope", token), 400, "invalid_event_filter", "type");
    assertApiError(await api().get("/api/me/events?from=2026-02-30", token), 400, "invalid_event_filter", "from");
    assertApiError(await api().get("/api/me/events?from=2026-03-02&to=2026-03-01", token), 400, "invalid_event_filter", "to");
    for (let i = 0; i < 4; i++) await api().sessionFor(world.member.email, password);
    const seen: string[] = [];
    let url = "/api/me/events?limit=2";
    for (let pages = 0; pages < 20; pages++) {
      const page = await api().get(url, token);
      seen.push(...page.body.events.map((event: any) => event.id));
      if (!page.body.nextCursor) break;
      url = `/api/me/events?limit=2&cursor=${page.body.nextCursor}`;
    }
    assert.ok(seen.length >= 6, "more than one page");
    assert.equal(new Set(seen).size, seen.length, "no event twice");
    const today = new Date(t.deps.clock.now()).toISOString().slice(0, 10);
    assert.equal((await api().get(`/api/me/events?from=${today}&to=${today}&limit=200`, token)).body.events.length, seen.length);
    assert.equal((await api().get("/api/me/events?to=2000-01-01", token)).body.events.length, 0);
  });

  it("exports CSV with ?format=csv or Accept: text/csv, formulas neutralised", async () => {
    const token = await tokenOf(world.admin);
    const csv = await api().get("/api/admin/events?format=csv&type=method.reset", token);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv/);
    const [header, row] = csv.raw.body.split("\r\n");
    assert.equal(header, "time,type,label,actor_email,subject_email,account,client_address,user_agent,detail");
    assert.match(row!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^,]+Z,method\\.reset,Method reset,${world.admin.email},${world.member.email},`));
    assert.ok(row!.endsWith(`,"'=HYPERLINK(""http://evil""),""x""",type=totp`), row);
    const accepted = await api().request("GET", "/api/me/events", { token, headers: { accept: "text/csv" } });
    assert.match(accepted.raw.body, /^time,type,label/);
  });
});
