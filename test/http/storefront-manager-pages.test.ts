/** A3 on the pages: Customers → the customer's record (Enabled) → Disable → confirm → notice; Disabled and no button after; search and pages. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAccount } from "../../src/services/access/users.js";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { addUser, pageLogin, pageLoginWithTotp, seedReseller, type Reseller } from "../helpers/storefront.js";

describe("pages: the storefront manager", () => {
  let t: TestApp;
  let acme: Reseller;
  before(async () => {
    t = await createTestApp();
    acme = await seedReseller(t.deps, "Acme");
  });
  after(() => t.close());

  it("lists the customers with users and 2FA counts, opens the record, disables after a confirmation page, and the customer is told", async () => {
    const browser = await pageLoginWithTotp(t, acme.admin);
    const security = await browser.get("/settings/security");
    assert.match(security.body, /Storefront manager<\/span><a href="\/storefront\/customers">Customers<\/a>/);
    const list = await browser.get("/storefront/customers");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<h1>Customers<\/h1>/);
    const row = new RegExp(`<a href="/storefront/customers/${acme.customer.id}">${acme.customer.name}</a></td><td>2</td><td>1 of 2</td>`);
    assert.match(list.body, row);

    const record = await browser.get(`/storefront/customers/${acme.customer.id}`);
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /<h2 id="account-details">Account details<\/h2>/);
    assert.equal([...record.body.matchAll(/<dt>Two-Factor Authentication<\/dt><dd><strong class="status-(on|off)">(Enabled|Disabled)<\/strong>/g)].length, 2);
    assert.match(record.body, /status-on">Enabled<\/strong> <span class="hint">\(Authenticator app\)/);
    const confirmPath = `/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/disable`;
    assert.match(record.body, new RegExp(`href="${confirmPath}">Disable<`));
    assert.doesNotMatch(record.body, new RegExp(`users/${acme.plain.user.id}/disable`), "no Disable button when 2FA is off");

    const confirm = await browser.get(confirmPath);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<h1>Disable two-factor authentication for Acme Buyer\?<\/h1>/);
    assert.match(confirm.body, /<button type="submit" class="danger" autofocus>Disable<\/button>/);
    assert.match(confirm.body, new RegExp(`<a href="/storefront/customers/${acme.customer.id}" class="cancel">Cancel</a>`));

    const noCsrf = await browser.post(confirmPath, {}, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await t.deps.store.methods.listMethods(acme.enrolled.user.id)).length, 1, "nothing changed without CSRF");

    const done = await browser.post(confirmPath, {}, { csrfFrom: confirmPath });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `/storefront/customers/${acme.customer.id}?notice=customer_two_factor_disabled&user=${acme.enrolled.user.id}`);
    const after = await browser.get(done.headers.location as string);
    assert.match(after.body, /<div class="notice" role="status">Two-factor authentication has been disabled for Acme Buyer\.<\/div>/);
    assert.doesNotMatch(after.body, /status-on/);
    assert.doesNotMatch(after.body, /\/disable"/, "no Disable button any more");
    assert.equal((await browser.get(confirmPath)).headers.location, `/storefront/customers/${acme.customer.id}`, "the confirmation of nothing goes back");

    assert.deepEqual(await t.deps.store.methods.listMethods(acme.enrolled.user.id), []);
    assert.equal(await t.deps.store.codes.findRecoveryCodes(acme.enrolled.user.id), undefined, "recovery codes gone");
    const [event] = await t.deps.store.events.listEvents({ subjectUserId: acme.enrolled.user.id, limit: 1 });
    assert.equal(event?.type, "two_factor.disabled");
    assert.equal(event?.actorUserId, acme.admin.user.id);
    assert.equal(event?.accountId, acme.customer.id, "in the customer's log");
    assert.equal(event?.detail.reason, "storefront_manager");
    const emails = (await t.deps.store.messages.listMessages(1000)).filter((message) => message.recipient === acme.enrolled.user.email && message.kind === "two_factor_disabled");
    assert.equal(emails.length, 1);
    assert.match(emails[0]!.textBody, new RegExp(`turned off for your account by your provider, ${acme.account.name} \\(Acme Admin\\)`));
    assert.ok(!emails[0]!.textBody.includes(acme.enrolled.keyBase32.replace(/\s/g, "")), "no secret in the email");

    // The customer logs in with the password alone now.
    const login = await new ApiClient(t.app).post("/api/login", { email: acme.enrolled.user.email, password: acme.enrolled.password });
    assert.equal(login.body.status, "authenticated");
  });

  it("searches by name prefix and pages by name", async () => {
    const reseller = await seedReseller(t.deps, "Pager");
    for (let n = 0; n < 27; n++) await createAccount(t.deps, { name: `Zed ${String(n).padStart(2, "0")} ${reseller.account.id}`, kind: "customer", parentId: reseller.account.id });
    const hooli = await createAccount(t.deps, { name: `Hooli ${reseller.account.id}`, kind: "customer", parentId: reseller.account.id });
    await addUser(t.deps, hooli, { name: "Gavin" });
    const browser = await pageLoginWithTotp(t, reseller.admin);
    const found = await browser.get("/storefront/customers?search=hoo");
    assert.match(found.body, new RegExp(`>Hooli ${reseller.account.id}</a></td><td>1</td><td>0 of 1</td>`));
    assert.doesNotMatch(found.body, /Zed /);
    assert.match(found.body, /value="hoo"/);
    const first = await browser.get("/storefront/customers");
    assert.equal([...first.body.matchAll(/<tr><td><a href/g)].length, 25);
    const next = /href="(\/storefront\/customers\?cursor=[^"]+)" rel="next"/.exec(first.body)?.[1];
    assert.ok(next);
    const second = await browser.get(next);
    assert.equal([...second.body.matchAll(/<tr><td><a href/g)].length, 4, "29 customers: 25 + 4");
    assert.doesNotMatch(second.body, /rel="next"/);
    assert.match(second.body, /Zed 26/);
    assert.equal((await browser.get("/storefront/customers?cursor=%25%25")).statusCode, 400);
  });

  it("a stale session is sent to confirm it's you, then back to the confirmation", async () => {
    const reseller = await seedReseller(t.deps, "Stale");
    const browser = await pageLoginWithTotp(t, reseller.admin);
    t.clock.advance(t.config.stepUpMinutes * 60 + 1);
    const confirmPath = `/storefront/customers/${reseller.customer.id}/users/${reseller.enrolled.user.id}/disable`;
    const response = await browser.post(confirmPath, {}, { csrfFrom: confirmPath });
    assert.equal(response.headers.location, `/settings/confirm?next=${encodeURIComponent(confirmPath)}`);
    assert.equal((await t.deps.store.methods.listMethods(reseller.enrolled.user.id)).length, 1);
  });

  it("a reseller user without 2FA may look but not disable", async () => {
    const reseller = await seedReseller(t.deps, "NoTwoFactor");
    const member = await addUser(t.deps, reseller.account, { name: "Member" });
    const browser = await pageLogin(t, member);
    assert.equal((await browser.get(`/storefront/customers/${reseller.customer.id}`)).statusCode, 200);
    const confirmPath = `/storefront/customers/${reseller.customer.id}/users/${reseller.enrolled.user.id}/disable`;
    // The confirmation page says what to do instead of offering a Disable that would be refused.
    const confirm = await browser.get(confirmPath);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Set up two-factor authentication for your own account first/);
    assert.match(confirm.body, /You can disable a customer(&#39;|')s two-factor authentication only while your own account uses two-factor authentication/);
    assert.match(confirm.body, /<a class="button primary" href="\/settings\/two-factor\/setup">Set up two-factor authentication<\/a>/);
    assert.doesNotMatch(confirm.body, /<button type="submit" class="danger"/);
    const response = await browser.post(confirmPath, {}, { csrfFrom: confirmPath });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Set up two-factor authentication for your own account first/);
    assert.match(response.body, /href="\/settings\/two-factor\/setup"/);
    assert.equal((await t.deps.store.methods.listMethods(reseller.enrolled.user.id)).length, 1);
  });
});
