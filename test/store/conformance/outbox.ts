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
}
