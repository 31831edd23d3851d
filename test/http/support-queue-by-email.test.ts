/**
 * Issue 20: support reviewing "lost everything" requests needs the email (display
 * names are not unique and can be anything). The queue and the request page show
 * email and account beside the name; the queue is searchable by email, on the
 * page and in the API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Account, User } from "../../src/domain/model.js";
import { createAccount } from "../../src/services/access/users.js";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { addUser } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("the support queue names users by email and account, and is searchable by email", () => {
  let t: TestApp;
  let support: { user: User; password: string };
  let twins: User[];
  let shops: Account[];
  before(async () => {
    t = await createTestApp();
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    support = await seedUser(t.deps, { kind: "platform", role: "support" });
    shops = [];
    twins = [];
    // Two users with the same display name in two accounts: only the email and the account tell them apart.
    for (const [name, email] of [["Northwind", "sam.one@northwind.test"], ["Southwind", "sam.two@southwind.test"]] as const) {
      const shop = await createAccount(t.deps, { name, kind: "customer", parentId: admin.user.accountId });
      shops.push(shop);
      const user = (await addUser(t.deps, shop.id, { email, displayName: "Sam Smith" })).user;
      twins.push(user);
      t.clock.advance(1);
      await t.deps.store.resetRequests.insertResetRequest({ id: t.deps.newId(), accountId: shop.id, subjectUserId: user.id, filedByUserId: admin.user.id, reason: "lost phone", createdAt: t.clock.now() });
    }
  });
  after(() => t.close());

  async function supportBrowser() {
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: support.user.email, password: support.password }, { csrfFrom: "/login" });
    return browser;
  }

  it("the queue page shows each user's email and account beside the name", async () => {
    const queue = await (await supportBrowser()).get("/support/reset-requests");
    assert.equal(queue.statusCode, 200);
    for (const [index, user] of twins.entries()) {
      const row = new RegExp(`<tr>\\s*<td><a href="/support/reset-requests/[^"]+">Sam Smith</a>(?:<br>)?<span class="hint">${user.email.replace(/\./g, "\\.")}</span></td>\\s*<td>${shops[index]!.name}</td>`);
      assert.match(queue.body, row);
    }
  });

  it("the request page shows the email and the account", async () => {
    const browser = await supportBrowser();
    const queue = await browser.get("/support/reset-requests?email=sam.two");
    const link = /href="(\/support\/reset-requests\/[0-9a-f-]{36})"/.exec(queue.body)![1]!;
    const page = await browser.get(link);
    assert.match(page.body, /<dt>User<\/dt><dd>Sam Smith <span class="hint">\(sam\.two@southwind\.test\)<\/span><\/dd>/);
    assert.match(page.body, /<dt>Account<\/dt><dd>Southwind<\/dd>/);
  });

  it("the queue page searches by email (the start of it, any case), keeps the search in its form, and says when nothing matches", async () => {
    const browser = await supportBrowser();
    const found = await browser.get("/support/reset-requests?email=SAM.TWO%40south");
    assert.equal(found.statusCode, 200);
    assert.match(found.body, /sam\.two@southwind\.test/);
    assert.doesNotMatch(found.body, /sam\.one@northwind\.test/);
    assert.match(found.body, /<input[^>]+name="email"[^>]+value="SAM\.TWO@south"/);
    const none = await browser.get("/support/reset-requests?email=nobody%40");
    assert.match(none.body, /No requests for an email starting with “nobody@”/);
    assert.doesNotMatch(none.body, /sam\.(one|two)@/);
  });

  it("the API searches by email, with status, limit and cursor", async () => {
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(support.user.email, support.password);
    const found = await api.get("/api/support/reset-requests?status=all&email=sam.one%40", token);
    assert.equal(found.status, 200, found.raw.body);
    assert.deepEqual(found.body.requests.map((row: { user: { email: string } }) => row.user.email), ["sam.one@northwind.test"]);
    const both = await api.get("/api/support/reset-requests?email=sam.&limit=1", token);
    assert.equal(both.body.requests.length, 1);
    const rest = await api.get(`/api/support/reset-requests?email=sam.&limit=1&cursor=${both.body.next}`, token);
    assert.deepEqual([...both.body.requests, ...rest.body.requests].map((row: { user: { email: string } }) => row.user.email), ["sam.one@northwind.test", "sam.two@southwind.test"]);
    assertApiError(await api.get(`/api/support/reset-requests?email=${"a".repeat(255)}`, token), 400, "invalid_request", "email");
  });
});
