/** A4 on pages: the own log, the account log, support's, with labelled filters, paging and CSV. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { eventLogWorld, password } from "../helpers/event-log-world.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

describe("pages: event logs", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof eventLogWorld>>;
  before(async () => {
    t = await createTestApp();
    world = await eventLogWorld(t.deps);
  });
  after(() => t.close());

  async function logIn(email: string) {
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");
    return browser;
  }

  it("a member: own log from the security page, type filter, next page, CSV; no account log", async () => {
    const browser = await logIn(world.member.email);
    assert.match((await browser.get("/settings/security")).body, /<a href="\/settings\/events">See all events<\/a>/);
    const page = await browser.get("/settings/events");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="field-type">Event type<\/label>/);
    assert.match(page.body, /<label for="field-from">From/);
    assert.match(page.body, /<label for="field-to">To/);
    assert.match(page.body, /Method reset/);
    assert.match(page.body, /<time datetime=/);
    assert.doesNotMatch(page.body, new RegExp(world.buyer.email));
    const filtered = await browser.get("/settings/events?type=logout");
    assert.match(filtered.body, /No events match/);
    const bad = await browser.get("/settings/events?from=2026-13-01");
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="field-from-error" role="alert">Check the filter/);
    for (let i = 0; i < 55; i++) await t.deps.store.events.appendEvent({ id: `p${i}-${world.member.id}`, accountId: world.member.accountId, actorUserId: world.member.id, subjectUserId: world.member.id, type: "logout", detail: {}, clientAddress: null, userAgent: null, createdAt: t.deps.clock.now() });
    const first = await browser.get("/settings/events");
    const next = /<a href="(\/settings\/events\?cursor=\d+)" rel="next">Next page<\/a>/.exec(first.body);
    assert.ok(next, "a next page link");
    const second = await browser.get(next[1]!.replaceAll("&amp;", "&"));
    assert.match(second.body, /Method reset/, "the older event is on page 2");
    const csv = await browser.get("/settings/events.csv?type=method.reset");
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-disposition"]), /attachment; filename="events.csv"/);
    assert.match(csv.body, /^time,type,label,actor_email,subject_email,account,client_address,user_agent,detail\r\n/);
    assert.equal(csv.body.trim().split("\r\n").length, 2);
    const notTheirs = await browser.get("/panel/events");
    assert.equal(notTheirs.statusCode, 403);
    assert.match(notTheirs.body, /<h1>Not allowed<\/h1>/);
    assert.match(notTheirs.body, /Only an account(&#39;|')s administrators see its event log\. Your own security events are in your <a href="\/settings\/events">Event log<\/a>/);
    assert.doesNotMatch(notTheirs.body, /Show events/, "no filter form that could only be refused");
    assert.equal((await browser.get("/support/events")).statusCode, 403);
  });

  it("a reseller admin: account and customers, user filter; another reseller's user is 403", async () => {
    const browser = await logIn(world.admin.email);
    const page = await browser.get("/panel/events?type=password.changed");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /and its customers/);
    assert.match(page.body, /<label for="field-user">User \(email or id\)<\/label>/);
    assert.match(page.body, new RegExp(world.buyer.email));
    assert.doesNotMatch(page.body, new RegExp(world.otherMember.email));
    const one = await browser.get(`/panel/events?user=${encodeURIComponent(world.buyer.email)}`);
    assert.doesNotMatch(one.body, new RegExp(`<td>${world.member.email}`));
    const refused = await browser.get(`/panel/events?user=${encodeURIComponent(world.otherMember.email)}`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /id="field-user-error" role="alert">You cannot see that user(&#39;|')s events/, "the refusal sits by the User field, the form stays");
    assert.equal((await browser.get(`/panel/events.csv?user=${encodeURIComponent(world.otherMember.email)}`)).statusCode, 403);
  });

  it("support: all events, narrowed by account", async () => {
    const browser = await logIn(world.support.email);
    const all = await browser.get("/support/events?type=password.changed");
    assert.match(all.body, new RegExp(world.buyer.email));
    assert.match(all.body, new RegExp(world.otherMember.email));
    const one = await browser.get(`/support/events?type=password.changed&account=${world.other.accountId}`);
    assert.doesNotMatch(one.body, new RegExp(world.buyer.email));
    assert.match(one.body, new RegExp(world.otherMember.email));
  });
});
