/**
 * The dispatcher: a transient failure backs off (30 s, 2 min, 8 min …) and the
 * message is not tried again before its time; after eight tries, or at once on
 * a permanent failure, it is marked failed and its bodies erased; the log names
 * the message and the reason, never the address or the words.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EmailGateway, EmailMessage, EmailSendResult } from "../../src/services/deps.js";
import { dispatchDueMessages, retryDelayMs } from "../../src/services/messages/message-dispatcher.js";
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../../src/services/events/audit.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

class ScriptedGateway implements EmailGateway {
  name = "scripted";
  sent: EmailMessage[] = [];
  constructor(public answer: EmailSendResult) {}
  async send(message: EmailMessage) {
    this.sent.push(message);
    return this.answer;
  }
}

describe("email dispatch: retries, backoff, giving up", () => {
  let t: TestRuntime;
  before(async () => {
    t = await createTestRuntime();
  });
  after(() => t.close());

  async function enqueueFor() {
    const { user } = await seedUser(t.deps);
    await recordChangeAndForgetTrustedBrowsers(t.deps, t.deps.store, { type: "two_factor.enabled", subject: user, context: { clientAddress: null, userAgent: null }, detail: { type: "totp" } });
    return user;
  }

  it("backs off on transient failures, never early, and gives up after eight tries", async () => {
    const user = await enqueueFor();
    const gateway = new ScriptedGateway({ ok: false, transient: true, reason: "SMTP 451" });
    const deps = { ...t.deps, email: gateway };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((attempts) => retryDelayMs(attempts)), [30_000, 120_000, 480_000, 1_920_000, 3_600_000, 3_600_000]);
    for (let attempt = 1; attempt <= 7; attempt++) {
      assert.deepEqual(await dispatchDueMessages(deps), { sent: 0, retried: 1, failed: 0 }, `attempt ${attempt}`);
      t.clock.current += retryDelayMs(attempt) - 1;
      assert.deepEqual(await dispatchDueMessages(deps), { sent: 0, retried: 0, failed: 0 }, "not before its time");
      t.clock.current += 1;
    }
    assert.deepEqual(await dispatchDueMessages(deps), { sent: 0, retried: 0, failed: 1 }, "the eighth try is the last");
    assert.equal(gateway.sent.length, 8);
    assert.equal(gateway.sent[0]!.to, user.email);
    const [message] = (await t.deps.store.messages.listMessages(100)).filter((row) => row.recipient === user.email);
    assert.deepEqual([message!.status, message!.attempts, message!.lastError, message!.textBody], ["failed", 8, "SMTP 451", ""]);
    t.clock.advance(86_400);
    assert.deepEqual(await dispatchDueMessages(deps), { sent: 0, retried: 0, failed: 0 });
    const log = t.logger.lines.join("\n");
    assert.match(log, /given up/);
    assert.ok(!log.includes(user.email) && !log.includes("Two-factor authentication (2FA) was turned on"), "no address or words in the log");
  });

  it("a permanent failure is final at once; a success marks the message sent", async () => {
    const failing = await enqueueFor();
    const permanent = new ScriptedGateway({ ok: false, transient: false, reason: "SMTP 550" });
    assert.deepEqual(await dispatchDueMessages({ ...t.deps, email: permanent }), { sent: 0, retried: 0, failed: 1 });
    const sending = await enqueueFor();
    const working = new ScriptedGateway({ ok: true, providerMessageId: "<id@test>" });
    assert.deepEqual(await dispatchDueMessages({ ...t.deps, email: working }), { sent: 1, retried: 0, failed: 0 });
    assert.deepEqual(working.sent.map((message) => message.to), [sending.email]);
    const rows = await t.deps.store.messages.listMessages(100);
    assert.equal(rows.find((row) => row.recipient === failing.email)?.status, "failed");
    const sent = rows.find((row) => row.recipient === sending.email)!;
    assert.deepEqual([sent.status, sent.providerMessageId, sent.sentAt, sent.htmlBody], ["sent", "<id@test>", t.clock.now(), ""]);
  });
});
