/**
 * Threat: an email that is really a list. A user created as
 * `first,second@example.test` had its invitation (a set-password link: the
 * account) mailed to `second@example.test`, because the mail transport was
 * given the address as a string and split it at the comma. Whoever owns the
 * second mailbox takes the account. One rule for every email twostep takes
 * (create, invite, reset, login): a single mailbox, else 400 `invalid_email`
 * with nothing written; and the transport gets the address as an object, which
 * it never splits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isSingleMailbox } from "../../src/domain/email-address.js";
import { createSmtpEmailGateway } from "../../src/gateways/email/smtp.js";
import { createUser } from "../../src/services/access/users.js";
import { ApiClient, assertApiError, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { startSmtpServer } from "../helpers/smtp.js";

const lists = [
  "first,second@example.test",
  "first;second@example.test",
  "First <second@example.test>",
  "<second@example.test>",
  "first second@example.test",
  "first@example.test, second@example.test",
  "first\u0000@example.test",
  "first\n@example.test",
  "first@example.test\r\nBcc: second@example.test",
  '"first,"@example.test',
  "first@exa,mple.test",
  "first@example.test,",
];

describe("an email that is a list is refused everywhere, and the transport never splits one", () => {
  let t: ObservedTestApp;
  let admin: { user: { email: string }; password: string };
  before(async () => {
    t = await createObservedTestApp();
    admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
  });
  after(() => t.close());

  it("one rule: a single mailbox as browsers accept it", () => {
    for (const address of ["ada@example.test", "a.b+tag@sub.example.test", "o'brien@example.test", "x_y-z@example-host.test"]) assert.equal(isSingleMailbox(address), true, address);
    for (const address of [...lists, "no-at.example.test", "a@b", "@example.test", `${"a".repeat(250)}@example.test`]) assert.equal(isSingleMailbox(address), false, JSON.stringify(address));
  });

  it("creating a user (API, page, service) answers 400 invalid_email and writes nothing", async () => {
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(admin.user.email, admin.password);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: admin.user.email, password: admin.password }, { csrfFrom: "/login" });
    const before = await t.snapshot();
    for (const email of lists) {
      assertApiError(await api.post("/api/admin/users", { email, displayName: "Mallory", role: "member" }, token), 400, "invalid_email", "email");
      const page = await browser.post("/panel/users/new", { email, displayName: "Mallory", role: "member" }, { csrfFrom: "/panel/users/new" });
      assert.equal(page.statusCode, 400, email);
      assert.match(page.body, /Enter a valid email address\./);
      const direct = await createUser(t.deps, { accountId: (await t.deps.store.accounts.findUserByEmail(admin.user.email))!.accountId, email, password: "correct horse battery", role: "member" }, { clientAddress: null, userAgent: "test" });
      assert.deepEqual(direct.ok ? "created" : direct.code, "invalid_email", email);
    }
    const afterwards = await t.snapshot();
    assert.deepEqual(afterwards.users, before.users);
    assert.deepEqual(afterwards.outgoing_messages, before.outgoing_messages);
  });

  it("asking for a reset link (API and page) answers 400 invalid_email and counts nothing", async () => {
    const api = new ApiClient(t.app);
    const browser = new FormClient(t.app);
    const before = await t.snapshot();
    for (const email of lists) {
      assertApiError(await api.post("/api/password-reset/request", { email }), 400, "invalid_email", "email");
      const page = await browser.post("/login/forgot", { email }, { csrfFrom: "/login/forgot" });
      assert.equal(page.statusCode, 400, email);
      assert.match(page.body, /Enter a valid email address\./);
    }
    const afterwards = await t.snapshot();
    assert.deepEqual(afterwards.attempt_counters, before.attempt_counters);
    assert.deepEqual(afterwards.password_resets, before.password_resets);
  });

  it("the SMTP transport is given the address as one mailbox: never split into two recipients", async () => {
    const smtp = await startSmtpServer();
    const gateway = createSmtpEmailGateway({ url: smtp.url, from: "no-reply@example.test" });
    try {
      // Only a stored row written before this rule could hold such an address; it must still go nowhere else.
      const result = await gateway.send({ to: "first,second@example.test", subject: "Invitation", text: "link", html: "<p>link</p>" });
      if (result.ok) {
        const [received] = await smtp.waitFor(1);
        // One recipient: the whole string as one (quoted) local part, as RFC 5322 writes it.
        assert.deepEqual(received!.envelopeTo, ['"first,second"@example.test']);
      }
      assert.ok(smtp.received.every((email) => !email.envelopeTo.includes("second@example.test")), JSON.stringify(smtp.received.map((email) => email.envelopeTo)));
    } finally {
      gateway.close?.();
      await smtp.close();
    }
  });
});
