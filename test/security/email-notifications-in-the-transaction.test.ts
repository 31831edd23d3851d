/**
 * SPEC N1 and O3: every event in the notification table enqueues its email in
 * the same transaction as the event (a rollback leaves neither), to the user
 * it happened to, with the words of its kind; other events send nothing. The
 * words name who made a change when it was someone else, and the HTML part
 * escapes every value.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { renderEmail } from "../../src/domain/email-words.js";
import type { EventType } from "../../src/domain/model.js";
import { notifications } from "../../src/domain/notifications.js";
import { eventsThatForgetTrustedBrowsers } from "../../src/domain/login-flow/trusted-browser.js";
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../../src/services/events/audit.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

const context = { clientAddress: "203.0.113.9", userAgent: "test" };

describe("notification emails are written in the change's transaction", () => {
  let t: TestRuntime;
  before(async () => {
    t = await createTestRuntime();
  });
  after(() => t.close());

  const messagesTo = async (email: string) => (await t.deps.store.messages.listMessages(10_000)).filter((message) => message.recipient === email);

  it("each event in the table enqueues one email of its kind to the subject user, with the event", async () => {
    for (const [type, entry] of Object.entries(notifications)) {
      const { user } = await seedUser(t.deps);
      const detail = { type: "totp", name: "Phone app", codesLeft: 4 };
      // A 2FA or password change is recorded by its own function (it also forgets trusted browsers); the email is the same.
      const input = { type: type as EventType, subject: user, context, detail };
      await t.deps.store.transaction((tx) =>
        eventsThatForgetTrustedBrowsers.has(input.type) ? recordChangeAndForgetTrustedBrowsers(t.deps, tx, input as never) : recordEvent(t.deps, tx, input as never),
      );
      const messages = await messagesTo(user.email);
      assert.equal(messages.length, 1, type);
      const [message] = messages;
      const expected = renderEmail(entry.kind, {
        displayName: user.displayName,
        at: t.clock.now(),
        clientAddress: context.clientAddress,
        actorName: null,
        methodType: "totp",
        methodName: "Phone app",
        codesLeft: 4,
        securityUrl: `http://localhost:3000${"page" in entry ? entry.page : "/settings/security"}`,
      });
      assert.deepEqual(
        { kind: message!.kind, status: message!.status, subject: message!.subject, text: message!.textBody, html: message!.htmlBody },
        { kind: entry.kind, status: "pending", subject: expected.subject, text: expected.text, html: expected.html },
        type,
      );
      assert.ok(message!.textBody.includes("203.0.113.9"), "the address the change came from");
      assert.ok(message!.textBody.includes("2026-11-22 12:00 UTC"), "when");
      assert.ok((await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 10 })).some((event) => event.type === type));
    }
  });

  it("a rollback leaves neither the event nor the email", async () => {
    const { user } = await seedUser(t.deps);
    await assert.rejects(
      t.deps.store.transaction(async (tx) => {
        await recordChangeAndForgetTrustedBrowsers(t.deps, tx, { type: "two_factor.disabled", subject: user, context });
        throw new Error("the change failed");
      }),
      /the change failed/,
    );
    assert.deepEqual(await messagesTo(user.email), []);
    assert.equal((await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 10 })).some((event) => event.type === "two_factor.disabled"), false);
  });

  it("given the outer store, a notifying event still writes the event and the email together", async () => {
    const { user } = await seedUser(t.deps);
    await recordEvent(t.deps, t.deps.store, { type: "login.locked_out", subject: user, actor: null, context });
    const [message] = await messagesTo(user.email);
    assert.equal(message?.kind, "locked_out");
    assert.equal(message?.subject, "Sign-in locked after wrong codes");
  });

  it("with TWOSTEP_EMAIL_GATEWAY=none no email is written", async () => {
    const { user } = await seedUser(t.deps);
    const deps = { ...t.deps, config: { ...t.deps.config, email: { ...t.deps.config.email, gateway: "none" as const } } };
    await deps.store.transaction((tx) => recordChangeAndForgetTrustedBrowsers(deps, tx, { type: "two_factor.enabled", subject: user, context }));
    assert.deepEqual(await messagesTo(user.email), []);
    assert.equal((await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 10 })).some((event) => event.type === "two_factor.enabled"), true, "the event still is");
  });

  it("events outside the table send nothing", async () => {
    const { user } = await seedUser(t.deps);
    for (const type of ["login.succeeded", "login.password_failed", "logout", "method.made_default", "verification.failed"] as const) {
      await t.deps.store.transaction((tx) => recordEvent(t.deps, tx, { type, subject: user, context }));
    }
    assert.deepEqual(await messagesTo(user.email), []);
  });

  it("says who made the change when it was someone else, and escapes every value in the HTML part", async () => {
    const { user } = await seedUser(t.deps);
    const { user: admin } = await seedUser(t.deps);
    const shownAdmin = { ...admin, displayName: "Admin <b>&</b>" };
    await t.deps.store.transaction((tx) =>
      recordChangeAndForgetTrustedBrowsers(t.deps, tx, { type: "two_factor.disabled", subject: user, actor: shownAdmin, context, detail: { reason: "admin" } }),
    );
    await t.deps.store.transaction((tx) => recordChangeAndForgetTrustedBrowsers(t.deps, tx, { type: "method.added", subject: user, context, detail: { type: "sms", name: '<script>alert("x")</script>' } }));
    const messages = await messagesTo(user.email);
    const disabled = messages.find((message) => message.kind === "two_factor_disabled")!;
    assert.ok(disabled.textBody.includes("turned off for your account by Admin <b>&</b>."), disabled.textBody);
    assert.ok(disabled.htmlBody.includes("by Admin &lt;b&gt;&amp;&lt;/b&gt;."), disabled.htmlBody);
    const added = messages.find((message) => message.kind === "method_added")!;
    assert.ok(added.textBody.includes('text message "<script>alert("x")</script>" was added'));
    assert.doesNotMatch(added.htmlBody, /<script/);
    assert.ok(added.htmlBody.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  });
});
