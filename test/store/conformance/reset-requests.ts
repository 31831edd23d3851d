/** Store conformance: A2 reset requests, one pending per user, listed oldest first, settled once even when raced. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function resetRequestsConformance(context: ConformanceContext) {
  const store = () => context.store;
  const file = async (user: { id: string; accountId: string }, createdAt = now) => {
    const id = randomUUID();
    const inserted = await store().resetRequests.insertResetRequest({ id, accountId: user.accountId, subjectUserId: user.id, filedByUserId: user.id, reason: "lost phone", createdAt });
    return { id, inserted };
  };

  it("files a pending request, finds it, and refuses a second pending one for the same user", async () => {
    const user = await context.user();
    const first = await file(user);
    assert.equal(first.inserted, true);
    const found = await store().resetRequests.findResetRequest(first.id);
    assert.equal(found?.status, "pending");
    assert.equal(found?.subjectUserId, user.id);
    assert.equal(found?.reason, "lost phone");
    assert.equal(found?.reviewedAt, null);
    assert.equal((await file(user)).inserted, false, "one pending request per user");
    assert.equal(await store().resetRequests.findResetRequest(randomUUID()), undefined);
  });

  it("settles a request once when ten reviewers race, and allows a new request afterwards", async () => {
    const user = await context.user();
    const { id } = await file(user);
    const racers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store().resetRequests.settleResetRequest(id, { status: i % 2 ? "approved" : "rejected", reviewedByUserId: user.id, reviewReason: `r${i}`, reviewedAt: now + 1 }),
      ),
    );
    const winners = racers.filter(Boolean);
    assert.equal(winners.length, 1, "exactly one reviewer wins");
    const stored = await store().resetRequests.findResetRequest(id);
    assert.equal(stored?.status, winners[0]!.status);
    assert.equal(stored?.reviewReason, winners[0]!.reviewReason);
    assert.equal(stored?.reviewedAt, now + 1);
    assert.equal(await store().resetRequests.settleResetRequest(id, { status: "approved", reviewedByUserId: user.id, reviewReason: null, reviewedAt: now + 2 }), undefined);
    assert.equal((await file(user, now + 3)).inserted, true, "a settled request no longer blocks a new one");
  });

  it("lists pending requests oldest first in pages, and recent ones newest first", async () => {
    const ids: string[] = [];
    const base = now - 1_000_000 - Math.floor(Math.random() * 500_000);
    for (let i = 0; i < 3; i++) ids.push((await file(await context.user(), base + i)).id);
    const mine = (rows: { id: string }[]) => rows.map((row) => row.id).filter((id) => ids.includes(id));
    const firstPage = await store().resetRequests.listPendingResetRequests({ limit: 1_000 });
    assert.deepEqual(mine(firstPage), ids, "oldest first");
    const page1 = await store().resetRequests.listPendingResetRequests({ limit: 1, after: ids[0] });
    assert.deepEqual(page1.map((row) => row.id), [ids[1]], "the page after a cursor starts after it");
    await store().resetRequests.settleResetRequest(ids[1]!, { status: "rejected", reviewedByUserId: ids[1]!, reviewReason: "no", reviewedAt: now });
    assert.deepEqual(mine(await store().resetRequests.listPendingResetRequests({ limit: 1_000 })), [ids[0], ids[2]], "settled ones leave the queue");
    assert.deepEqual(mine(await store().resetRequests.listRecentResetRequests({ limit: 1_000 })), [ids[2], ids[1], ids[0]], "recent: newest first, settled included");
    assert.deepEqual(await store().resetRequests.listPendingResetRequests({ limit: 10, after: randomUUID() }), [], "an unknown cursor gives nothing");
  });

  it("lists decided requests by the time of the decision, latest first, whenever they were filed", async () => {
    const base = now + 10_000_000 + Math.floor(Math.random() * 500_000);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await file(await context.user(), base + i)).id);
    // Decided in another order than filed; the last one stays pending.
    await store().resetRequests.settleResetRequest(ids[2]!, { status: "approved", reviewedByUserId: ids[2]!, reviewReason: null, reviewedAt: base + 100 });
    await store().resetRequests.settleResetRequest(ids[0]!, { status: "rejected", reviewedByUserId: ids[0]!, reviewReason: "no", reviewedAt: base + 200 });
    await store().resetRequests.settleResetRequest(ids[1]!, { status: "approved", reviewedByUserId: ids[1]!, reviewReason: null, reviewedAt: base + 150 });
    const decided = await store().resetRequests.listDecidedResetRequests({ limit: 3 });
    assert.deepEqual(decided.map((row) => row.id), [ids[0], ids[1], ids[2]], "latest decision first, the pending one left out");
    assert.deepEqual(decided.map((row) => row.status), ["rejected", "approved", "approved"]);
  });
}
