/**
 * The development outbox shows emails beside the texts: once the dispatcher
 * has "sent" them through the outbox gateway, /dev/outbox lists each email's
 * recipient, subject and text part under "Emails", apart from the texts, to
 * the browser of the user they were sent to.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dispatchDueMessages } from "../../src/services/messages/message-dispatcher.js";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, seedUser } from "../helpers/runtime.js";

describe("development outbox: emails", () => {
  it("lists each email (to, subject, text) under Emails, and texts under Text messages", async () => {
    const t = await createTestApp({ env: { TWOSTEP_ENV: "development" } });
    try {
      let page = await t.app.inject({ method: "GET", url: "/dev/outbox" });
      assert.match(page.body, /<h2>Emails<\/h2>\s*<p>No emails yet\.<\/p>/);
      const api = new ApiClient(t.app);
      const { user, password } = await seedUser(t.deps, { kind: "reseller" });
      const token = await api.sessionFor(user.email, password);
      await api.enrolTotp(token, password, t.clock);
      const asUser = { method: "GET" as const, url: "/dev/outbox", cookies: { twostep_session: token } };
      page = await t.app.inject(asUser);
      assert.match(page.body, /No emails yet\./, "not shown before the dispatcher sent them");
      assert.deepEqual(await dispatchDueMessages(t.deps), { sent: 4, retried: 0, failed: 0 });
      page = await t.app.inject({ method: "GET", url: "/dev/outbox" });
      assert.match(page.body, /No emails yet\./, "a browser of no one sees no one's emails");
      page = await t.app.inject(asUser);
      const emails = page.body.split("<h2>Emails</h2>")[1]!.split("<h2>Text messages</h2>")[0]!;
      for (const subject of ["New sign-in to your account", "Two-factor authentication is on", "A sign-in method was added", "New recovery codes"]) {
        assert.ok(emails.includes(`<td>${user.email}</td><td>${subject}</td>`), subject);
      }
      assert.ok(emails.includes(`Hello ${user.displayName},`), "the text part");
      assert.match(page.body.split("<h2>Text messages</h2>")[1]!, /No messages yet\./, "no texts were sent");
    } finally {
      await t.close();
    }
  });
});
