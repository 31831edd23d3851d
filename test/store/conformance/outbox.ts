/** Store conformance: development outbox. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function outboxConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("keeps the development outbox, newest first", async () => {
    await store().outbox.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: "+447400123456", subject: null, body: "first", createdAt: now });
    await store().outbox.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: "+447400123456", subject: null, body: "second", createdAt: now + 1 });
    const messages = await store().outbox.listOutboxMessages(2);
    assert.deepEqual(messages.map((m) => m.body), ["second", "first"]);
  });

  it("lists the messages of given recipients only, newest first", async () => {
    const mine = `+4474009${String(Date.now() % 100000).padStart(5, "0")}`;
    await store().outbox.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: mine, subject: null, body: "mine 1", createdAt: now });
    await store().outbox.insertOutboxMessage({ id: randomUUID(), channel: "sms", recipient: "+447400000001", subject: null, body: "theirs", createdAt: now + 2 });
    await store().outbox.insertOutboxMessage({ id: randomUUID(), channel: "email", recipient: "me@outbox.test", subject: "Hi", body: "mine 2", createdAt: now + 1 });
    const messages = await store().outbox.listOutboxMessagesTo([mine, "me@outbox.test"], 10);
    assert.deepEqual(messages.map((m) => m.body), ["mine 2", "mine 1"]);
    assert.deepEqual(await store().outbox.listOutboxMessagesTo([], 10), [], "no recipients, no messages");
  });
}
