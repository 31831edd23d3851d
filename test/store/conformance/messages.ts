/**
 * Store conformance: the transactional outbox. Claims are raced: ten claimers
 * at once, each message goes to exactly one (on PostgreSQL over parallel pool
 * connections). Every test settles what it claimed, so the next starts empty.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { NewOutgoingMessage } from "../../../src/store/store.js";
import { type ConformanceContext, now } from "./fixtures.js";

function message(createdAt: number, extra: Partial<NewOutgoingMessage> = {}): NewOutgoingMessage {
  return { id: randomUUID(), channel: "email", recipient: "someone@example.test", kind: "two_factor.enabled", subject: "Subject", textBody: "text", htmlBody: "<p>html</p>", createdAt, ...extra };
}

export function messagesConformance(context: ConformanceContext) {
  const store = () => context.store;
  const lease = 60_000;

  it("claims a due message once, counts the attempt, and sends it with its bodies erased", async () => {
    const first = message(now, { recipient: "a@example.test" });
    const later = message(now + 10_000);
    await store().messages.enqueue(first);
    await store().messages.enqueue(later);
    const claimed = await store().messages.claimDue(now, 10, "sender-1", lease);
    assert.deepEqual(claimed.map((m) => m.id), [first.id], "only what is due");
    assert.equal(claimed[0]!.attempts, 1);
    assert.equal(claimed[0]!.textBody, "text");
    assert.equal(claimed[0]!.recipient, "a@example.test");
    assert.deepEqual(await store().messages.claimDue(now + 1, 10, "sender-2", lease), [], "a leased message is not claimed again");
    assert.equal(await store().messages.markSent(first.id, "sender-2", now + 2, "x"), false, "only the claimant settles it");
    assert.equal(await store().messages.markSent(first.id, "sender-1", now + 2, "provider-1"), true);
    assert.equal(await store().messages.markSent(first.id, "sender-1", now + 3, "provider-1"), false, "sent once");
    const sent = (await store().messages.listMessages(50)).find((m) => m.id === first.id)!;
    assert.equal(sent.status, "sent");
    assert.equal(sent.sentAt, now + 2);
    assert.equal(sent.providerMessageId, "provider-1");
    assert.equal(sent.textBody, "");
    assert.equal(sent.htmlBody, "");
    assert.deepEqual(await store().messages.claimDue(now + lease * 2, 10, "sender-3", lease).then((rows) => rows.map((m) => m.id)), [later.id], "a sent message is never due again");
    assert.equal(await store().messages.markSent(later.id, "sender-3", now + lease * 2, "p"), true);
  });

  it("a lease that runs out makes the message due again; a retry waits for its time; a failure is final", async () => {
    const item = message(now + 1_000_000);
    await store().messages.enqueue(item);
    const t = now + 1_000_000;
    assert.equal((await store().messages.claimDue(t, 10, "crashed", lease)).length, 1);
    const again = await store().messages.claimDue(t + lease, 10, "survivor", lease);
    assert.deepEqual(again.map((m) => [m.id, m.attempts, m.claimedBy]), [[item.id, 2, "survivor"]], "the dead sender's lease expired");
    assert.equal(await store().messages.markSent(item.id, "crashed", t + lease, "late"), false, "the old claimant lost it");
    assert.equal(await store().messages.scheduleRetry(item.id, "survivor", t + lease + 30_000, "SMTP 451"), true);
    assert.deepEqual(await store().messages.claimDue(t + lease + 29_999, 10, "early", lease), [], "not before the retry time");
    const retried = await store().messages.claimDue(t + lease + 30_000, 10, "third", lease);
    assert.equal(retried[0]?.lastError, "SMTP 451");
    assert.equal(retried[0]?.attempts, 3);
    assert.equal(await store().messages.markFailed(item.id, "third", t + lease + 30_001, "SMTP 550"), true);
    const failed = (await store().messages.listMessages(50)).find((m) => m.id === item.id)!;
    assert.equal(failed.status, "failed");
    assert.equal(failed.textBody, "");
    assert.equal(failed.lastError, "SMTP 550");
    assert.deepEqual(await store().messages.claimDue(t + lease * 10, 10, "later", lease), [], "a failed message is never due again");
  });

  it("a claim takes at most its limit, oldest first", async () => {
    const t = now + 4_000_000;
    const items = Array.from({ length: 25 }, (_, i) => message(t + i, { recipient: `limit-${i}@example.test` }));
    for (const item of items) await store().messages.enqueue(item);
    const first = await store().messages.claimDue(t + 100, 10, "limited", lease);
    assert.equal(first.length, 10);
    const rest = await store().messages.claimDue(t + 100, 100, "rest", lease);
    assert.equal(rest.length, 15);
    for (const m of first) await store().messages.markSent(m.id, "limited", t + 200, "p");
    for (const m of rest) await store().messages.markSent(m.id, "rest", t + 200, "p");
  });

  it("ten parallel claimers: every message is claimed by exactly one", async () => {
    const t = now + 5_000_000;
    const ids = Array.from({ length: 30 }, (_, i) => message(t + i));
    for (const item of ids) await store().messages.enqueue(item);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => store().messages.claimDue(t + 100, 7, `claimer-${i}`, lease)));
    const claimedIds = claims.flat().map((m) => m.id);
    assert.equal(new Set(claimedIds).size, claimedIds.length, "no message claimed twice");
    assert.deepEqual(claims.filter((batch) => batch.length > 7).map((batch) => batch.length), [], "no claimer took more than its limit");
    // Settle and drain what the race left (each claimer took at most 7).
    for (const [i, batch] of claims.entries()) for (const m of batch) assert.equal(await store().messages.markSent(m.id, `claimer-${i}`, t + 200, "p"), true);
    let rest = await store().messages.claimDue(t + 300, 100, "drain", lease);
    assert.equal(claimedIds.length + rest.length, ids.length, "every message claimed exactly once in all");
    assert.deepEqual(new Set([...claimedIds, ...rest.map((m) => m.id)]), new Set(ids.map((m) => m.id)));
    for (const m of rest) await store().messages.markSent(m.id, "drain", t + 300, "p");
    rest = await store().messages.claimDue(t + lease * 10, 100, "empty", lease);
    assert.deepEqual(rest, []);
  });

  it("a message enqueued in a transaction that rolls back never exists", async () => {
    const item = message(now);
    await assert.rejects(
      store().transaction(async (tx) => {
        await tx.messages.enqueue(item);
        throw new Error("roll back");
      }),
      /roll back/,
    );
    assert.equal((await store().messages.listMessages(1000)).some((m) => m.id === item.id), false);
  });

  it("a back-channel logout (issue 15) keeps its payload through claims; raced claimers send it once, a dead one's lease passes it on", async () => {
    const t = now + 6_000_000;
    const payload = JSON.stringify({ clientId: "app-1", sub: "user-1", sid: "sid-1" });
    const logouts = Array.from({ length: 12 }, (_, i) => message(t + i, { channel: "backchannel_logout", recipient: "app-1", kind: "app.backchannel_logout", subject: "", textBody: "", htmlBody: "", payload }));
    for (const item of logouts) await store().messages.enqueue(item);
    const listed = (await store().messages.listMessages(1000)).find((m) => m.id === logouts[0]!.id)!;
    assert.equal(listed.channel, "backchannel_logout");
    assert.equal(listed.payload, payload);
    assert.equal((await store().messages.listMessages(1000)).find((m) => m.channel === "email")?.payload ?? null, null, "an email has none");
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => store().messages.claimDue(t + 100, 3, `bc-${i}`, lease)));
    const claimed = claims.flat();
    assert.equal(new Set(claimed.map((m) => m.id)).size, claimed.length, "no logout claimed twice");
    assert.ok(claimed.every((m) => m.payload === payload && m.channel === "backchannel_logout"));
    // bc-0 dies holding its claim; the others send theirs.
    for (const [i, batch] of claims.entries()) if (i > 0) for (const m of batch) assert.equal(await store().messages.markSent(m.id, `bc-${i}`, t + 200, ""), true);
    const rest = await store().messages.claimDue(t + 100 + lease, 100, "survivor", lease);
    assert.deepEqual(new Set([...claimed.map((m) => m.id), ...rest.filter((m) => !claims[0]!.some((c) => c.id === m.id)).map((m) => m.id)]), new Set(logouts.map((m) => m.id)), "every logout claimed, none lost");
    assert.ok(claims[0]!.every((m) => rest.some((r) => r.id === m.id && r.attempts === 2)), "the dead claimer's logouts are due again");
    for (const m of rest) assert.equal(await store().messages.markSent(m.id, "survivor", t + 300 + lease, ""), true);
    const sent = (await store().messages.listMessages(1000)).filter((m) => logouts.some((l) => l.id === m.id));
    assert.ok(sent.every((m) => m.status === "sent" && m.payload === payload), "sent, payload kept (it holds no secret)");
  });
}
