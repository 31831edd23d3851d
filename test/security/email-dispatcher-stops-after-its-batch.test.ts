/**
 * Shutdown never loses or repeats an email (issue 17, item 2): stopping the
 * dispatcher while a batch is being sent lets that batch finish and settle, and
 * claims no further batch; what is left stays pending and unclaimed, and the next
 * dispatcher (the next process) sends it. Every message is sent exactly once.
 * The emails go to the real development-outbox gateway; the test only holds each
 * send until it lets the first batch go, so the stop lands mid-batch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EmailGateway, EmailMessage } from "../../src/services/deps.js";
import { defaultDispatch, dispatchDueMessages, startMessageDispatcher } from "../../src/services/messages/message-dispatcher.js";
import { createTestRuntime, type TestRuntime } from "../helpers/runtime.js";

describe("the dispatcher stops after the batch it claimed", () => {
  let t: TestRuntime;
  before(async () => {
    t = await createTestRuntime();
  });
  after(() => t.close());

  it("finishes the batch in hand, claims no other, and the rest goes out once later", async () => {
    const total = defaultDispatch.batchSize * 2 + 5;
    for (let i = 0; i < total; i++) {
      await t.deps.store.messages.enqueue({ id: `m-${String(i).padStart(2, "0")}`, channel: "email", recipient: `r${i}@example.test`, kind: "two_factor_enabled", subject: "s", textBody: "t", htmlBody: "h", createdAt: t.clock.now() });
    }
    const sentTo: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstSendStarted!: () => void;
    const sending = new Promise<void>((resolve) => (firstSendStarted = resolve));
    const held: EmailGateway = {
      name: "outbox",
      async send(message: EmailMessage) {
        firstSendStarted();
        await gate;
        const result = await t.deps.email.send(message);
        if (result.ok) sentTo.push(message.to);
        return result;
      },
    };
    const dispatcher = startMessageDispatcher({ ...t.deps, email: held }, 60_000);
    await sending;
    const stopped = dispatcher.stop();
    release();
    await stopped;

    assert.equal(sentTo.length, defaultDispatch.batchSize, "exactly the claimed batch was sent");
    const rows = await t.deps.store.messages.listMessages(100);
    const left = rows.filter((row) => row.status === "pending");
    assert.equal(left.length, total - defaultDispatch.batchSize);
    assert.ok(left.every((row) => row.attempts === 0 && row.claimedUntil === null), "nothing left claimed: the next process sends it at once");

    // The next process's dispatcher sends the rest.
    const next = { ...t.deps, email: { name: "outbox", send: async (message: EmailMessage) => { const result = await t.deps.email.send(message); if (result.ok) sentTo.push(message.to); return result; } } };
    assert.deepEqual(await dispatchDueMessages(next), { sent: total - defaultDispatch.batchSize, retried: 0, failed: 0 });
    assert.equal(sentTo.length, total);
    assert.equal(new Set(sentTo).size, total, "no email twice");
  });
});
