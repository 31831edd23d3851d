/** Store conformance: event log. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function eventsConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("appends events and lists them newest first, by subject or account", async () => {
    const owner = await context.user();
    for (let i = 0; i < 3; i++) {
      await store().events.appendEvent({
        id: randomUUID(),
        accountId: owner.accountId,
        actorUserId: owner.id,
        subjectUserId: owner.id,
        type: "login.succeeded",
        detail: { n: i, factor: "totp", ok: true },
        clientAddress: "192.0.2.1",
        userAgent: "ua",
        createdAt: now + i,
      });
    }
    const events = await store().events.listEvents({ subjectUserId: owner.id, limit: 2 });
    assert.deepEqual(events.map((event) => event.detail.n), [2, 1]);
    assert.deepEqual(events[0]!.detail, { n: 2, factor: "totp", ok: true });
    assert.equal((await store().events.listEvents({ accountId: owner.accountId, limit: 10 })).length, 3);
  });

  it("lists events in the order they were written, whatever the writers' clocks said", async () => {
    const owner = await context.user();
    // Two instances whose clocks disagree: the second write carries an earlier time.
    for (const [n, createdAt] of [[1, now + 5000], [2, now], [3, now + 2000]] as const) {
      await store().events.appendEvent({
        id: randomUUID(),
        accountId: owner.accountId,
        actorUserId: owner.id,
        subjectUserId: owner.id,
        type: "login.succeeded",
        detail: { n },
        clientAddress: null,
        userAgent: null,
        createdAt,
      });
    }
    const events = await store().events.listEvents({ subjectUserId: owner.id, limit: 10 });
    assert.deepEqual(events.map((event) => event.detail.n), [3, 2, 1]);
  });
}
