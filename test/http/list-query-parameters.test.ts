/**
 * Issue 20: every list's query parameters, through the session API, the
 * platform API (API key) and the page. Query values arrive as text; a list
 * that asks for an integer `limit` must read `?limit=10` as 10 (it answered
 * 400 on the customers list), and still refuse what is not one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Account, User } from "../../src/domain/model.js";
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../../src/services/events/audit.js";
import { createAccount } from "../../src/services/access/users.js";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { createKeyThroughApi } from "../helpers/api-keys.js";
import { FormClient } from "../helpers/browser-client.js";
import { addUser, giveMethod } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

const day = 24 * 3600;
const context = { clientAddress: "203.0.113.5", userAgent: "test" };

/** Follows `rel="next"` links from `path` and returns every page's body. */
async function pagesFrom(browser: FormClient, path: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let next: string | undefined = path; next; ) {
    const page = await browser.get(next);
    assert.equal(page.statusCode, 200, page.body);
    bodies.push(page.body);
    next = /<a [^>]*href="([^"]+)"[^>]*rel="next"|<a rel="next" href="([^"]+)"/.exec(page.body)?.slice(1).find(Boolean)?.replaceAll("&amp;", "&");
  }
  return bodies;
}

const count = (bodies: string[], pattern: RegExp) => bodies.join("\n").match(new RegExp(pattern, "g"))?.length ?? 0;

describe("list query parameters (issue 20)", () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: { user: User; password: string };
  let members: User[];
  let support: { user: User; password: string };
  let token: string;
  let supportToken: string;
  let key: string;
  let reseller: Account;

  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
    admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    reseller = (await t.deps.store.accounts.findAccountById(admin.user.accountId))!;
    // 27 customers: more than a page (25) on the storefront page; 3 of them start with "b".
    for (const name of ["Beta Shop", "Bravo Shop", "Bazaar"]) await createAccount(t.deps, { name, kind: "customer", parentId: reseller.id });
    for (let n = 10; n < 34; n++) await createAccount(t.deps, { name: `Shop ${n}`, kind: "customer", parentId: reseller.id });
    // 52 users in the admin's account (more than a page of 50); 2 of them with 2FA, 3 whose email starts with "zed".
    members = [];
    for (let n = 0; n < 48; n++) members.push((await addUser(t.deps, reseller.id)).user);
    for (let n = 0; n < 3; n++) members.push((await addUser(t.deps, reseller.id, { email: `zed${n}@example.test` })).user);
    await giveMethod(t.deps, members[0]!.id);
    await giveMethod(t.deps, members[50]!.id);
    // 60 events of the first member on the first day (more than a page of 50), one `user.deactivated` the next day.
    for (let n = 0; n < 60; n++) await recordChangeAndForgetTrustedBrowsers(t.deps, t.deps.store, { type: "password.changed", subject: members[0]!, actor: admin.user, context });
    t.clock.advance(day);
    await recordEvent(t.deps, t.deps.store, { type: "user.deactivated", subject: members[1]!, actor: admin.user, context });
    support = await seedUser(t.deps, { kind: "platform", role: "support" });
    token = await api.sessionFor(admin.user.email, admin.password);
    supportToken = await api.sessionFor(support.user.email, support.password);
    key = (await createKeyThroughApi(api, token)).key;
  });
  after(() => t.close());

  const today = () => new Date(t.clock.now()).toISOString().slice(0, 10);
  const yesterday = () => new Date(t.clock.now() - day * 1000).toISOString().slice(0, 10);

  /** Walks a JSON list by `cursor`, `limit` at a time; returns every row and how many pages it took. */
  async function walk(path: string, bearer: string, field: string, limit: number): Promise<{ rows: any[]; pages: number }> {
    const rows: any[] = [];
    let pages = 0;
    for (let cursor: string | null = null; pages === 0 || cursor; pages++) {
      const separator = path.includes("?") ? "&" : "?";
      const page = await api.get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, bearer);
      assert.equal(page.status, 200, page.raw.body);
      assert.ok(page.body[field].length <= limit);
      rows.push(...page.body[field]);
      cursor = page.body.nextCursor;
    }
    return { rows, pages };
  }

  for (const surface of ["session", "platform"] as const) {
    const base = surface === "session" ? "" : "/api/platform/v1";
    const bearer = () => (surface === "session" ? token : key);

    it(`${surface} API: customers take limit, cursor and search`, async () => {
      const path = surface === "session" ? "/api/storefront/customers" : `${base}/customers`;
      const all = await walk(path, bearer(), "customers", 10);
      assert.equal(all.rows.length, 27);
      assert.equal(all.pages, 3);
      const found = await walk(`${path}?search=b`, bearer(), "customers", 2);
      assert.deepEqual(found.rows.map((row) => row.account.name), ["Bazaar", "Beta Shop", "Bravo Shop"]);
      for (const bad of ["limit=ten", "limit=0", "limit=101", "limit=1.5", "limit=1&limit=2"]) assertApiError(await api.get(`${path}?${bad}`, bearer()), 400, "invalid_request", "limit");
    });

    it(`${surface} API: users take limit, cursor, search and withoutTwoFactor`, async () => {
      const path = surface === "session" ? "/api/admin/users" : `${base}/users`;
      const all = await walk(path, bearer(), "users", 20);
      assert.equal(all.rows.length, 52);
      assert.equal(new Set(all.rows.map((row) => row.id)).size, 52);
      assert.deepEqual((await walk(`${path}?search=zed`, bearer(), "users", 2)).rows.map((row) => row.email), ["zed0@example.test", "zed1@example.test", "zed2@example.test"]);
      const without = await walk(`${path}?withoutTwoFactor=true`, bearer(), "users", 25);
      assert.equal(without.rows.length, 50);
      assert.ok(without.rows.every((row) => !row.twoFactorEnabled));
      assert.equal((await walk(`${path}?withoutTwoFactor=false`, bearer(), "users", 200)).rows.length, 52);
      assertApiError(await api.get(`${path}?withoutTwoFactor=yes`, bearer()), 400, "invalid_request", "withoutTwoFactor");
      for (const bad of ["limit=x", "limit=0", "limit=201"]) assertApiError(await api.get(`${path}?${bad}`, bearer()), 400, "invalid_request", "limit");
    });

    it(`${surface} API: events take type, from, to, user, limit, cursor and format`, async () => {
      const path = surface === "session" ? "/api/admin/events" : `${base}/events`;
      const changed = await walk(`${path}?type=password.changed&user=${members[0]!.id}`, bearer(), "events", 25);
      assert.equal(changed.rows.length, 60);
      assert.equal(changed.pages, 3);
      const firstDay = await walk(`${path}?from=${yesterday()}&to=${yesterday()}&type=user.deactivated`, bearer(), "events", 5);
      assert.equal(firstDay.rows.length, 0);
      const secondDay = await walk(`${path}?from=${today()}&to=${today()}`, bearer(), "events", 5);
      assert.ok(secondDay.rows.some((row) => row.type === "user.deactivated"));
      assert.ok(secondDay.rows.every((row) => row.type !== "password.changed"));
      const csv = await api.get(`${path}?format=csv&type=user.deactivated`, bearer());
      assert.equal(csv.status, 200);
      assert.equal(csv.raw.body.trim().split("\n").length, 2);
      for (const bad of ["limit=many", "limit=0", "limit=201"]) assertApiError(await api.get(`${path}?${bad}`, bearer()), 400, "invalid_request", "limit");
    });
  }

  it("session API: the own and support event logs take the same filters (support: account too)", async () => {
    assert.equal((await walk(`/api/me/events?type=api_key.created`, token, "events", 1)).rows.length, 1);
    const accountLog = await walk(`/api/support/events?account=${reseller.id}&type=password.changed`, supportToken, "events", 30);
    assert.equal(accountLog.rows.length, 60);
  });

  it("session API: the reset-request queue takes status, limit and cursor", async () => {
    for (const member of members.slice(2, 5)) {
      t.clock.advance(1);
      await t.deps.store.resetRequests.insertResetRequest({ id: t.deps.newId(), accountId: reseller.id, subjectUserId: member.id, filedByUserId: admin.user.id, reason: "lost phone", createdAt: t.clock.now() });
    }
    const first = await api.get("/api/support/reset-requests?status=pending", supportToken);
    assert.equal(first.status, 200, first.raw.body);
    assert.equal(first.body.requests.length, 3);
    const after = await api.get(`/api/support/reset-requests?status=all&cursor=${first.body.requests[0].id}`, supportToken);
    assert.equal(after.body.requests.length, 0, "newest first: nothing is older than the oldest");
    const onePerPage = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
      const page = await api.get(`/api/support/reset-requests?limit=1${cursor ? `&cursor=${cursor}` : ""}`, supportToken);
      assert.equal(page.status, 200, page.raw.body);
      onePerPage.push(...page.body.requests);
      cursor = page.body.next;
    }
    assert.deepEqual(onePerPage.map((row) => row.id), first.body.requests.map((row: { id: string }) => row.id));
    assertApiError(await api.get("/api/support/reset-requests?limit=101", supportToken), 400, "invalid_request", "limit");
    assertApiError(await api.get("/api/support/reset-requests?status=done", supportToken), 400, "invalid_request", "status");
  });

  it("pages: customers, users and the event log take their filters and follow their next links", async () => {
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: admin.user.email, password: admin.password }, { csrfFrom: "/login" });
    const customers = await pagesFrom(browser, "/storefront/customers");
    assert.equal(customers.length, 2);
    assert.equal(count(customers, /Shop \d\d/), 24);
    const bShops = await pagesFrom(browser, "/storefront/customers?search=b");
    assert.deepEqual(bShops.join("").match(/Bazaar|Beta Shop|Bravo Shop|Shop 1\d/g), ["Bazaar", "Beta Shop", "Bravo Shop"]);
    const users = await pagesFrom(browser, "/panel/users");
    assert.equal(users.length, 2);
    assert.equal(count(users, /member\d+-[0-9a-f]{6}@example\.test/), 48);
    assert.equal(count(await pagesFrom(browser, "/panel/users?search=zed"), /zed\d@example\.test/), 3);
    assert.equal(count(await pagesFrom(browser, "/panel/users?withoutTwoFactor=1"), /zed\d@example\.test/), 2);
    const events = await pagesFrom(browser, `/panel/events?type=password.changed&user=${members[0]!.id}&from=${yesterday()}&to=${today()}`);
    assert.equal(events.length, 2);
    assert.match((await pagesFrom(browser, `/panel/events?type=password.changed&from=${today()}&to=${today()}`))[0]!, /No events match/);
    assert.doesNotMatch((await pagesFrom(browser, `/panel/events?type=user.deactivated&from=${today()}&to=${today()}`))[0]!, /No events match/);
  });
});
