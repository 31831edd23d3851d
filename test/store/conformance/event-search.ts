/** Store conformance: searching the event log (A4) by scope, filters and keyset pages; append-only. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import type { EventType, User } from "../../../src/domain/model.js";
import { type ConformanceContext, now } from "./fixtures.js";
import { portCalls } from "../../helpers/port-calls.js";

export function eventSearchConformance(context: ConformanceContext) {
  const store = () => context.store;
  const append = (subject: User, extra: { actor?: User | null; type?: EventType; at?: number; n?: number } = {}) =>
    store().events.appendEvent({
      id: randomUUID(),
      accountId: subject.accountId,
      actorUserId: extra.actor === undefined ? subject.id : (extra.actor?.id ?? null),
      subjectUserId: subject.id,
      type: extra.type ?? "login.succeeded",
      detail: { n: extra.n ?? 0 },
      clientAddress: "192.0.2.1",
      userAgent: "ua",
      createdAt: extra.at ?? now,
    });
  const userIn = async (accountId: string): Promise<User> => {
    const user: User = { id: randomUUID(), accountId, email: `${randomUUID()}@example.test`, displayName: "T", role: "member", passwordHash: "$argon2id$stub", active: true, createdAt: now };
    await store().accounts.insertUser(user);
    return user;
  };

  it("scopes: own (subject or actor), one account, an account and its customers, all", async () => {
    const reseller = await context.account("reseller");
    const customer = await context.account("customer", reseller.id);
    const otherReseller = await context.account("reseller");
    const admin = await userIn(reseller.id);
    const member = await userIn(reseller.id);
    const buyer = await userIn(customer.id);
    const stranger = await userIn(otherReseller.id);
    await append(admin, { n: 1 });
    await append(member, { actor: admin, n: 2 });
    await append(buyer, { n: 3 });
    await append(stranger, { n: 4 });
    const ns = async (scope: import("../../../src/store/ports/events.js").EventScope, extra = {}) =>
      (await store().events.searchEvents({ scope, limit: 100, ...extra })).map((event) => event.detail.n).filter((n) => Number(n) > 0);
    assert.deepEqual(await ns({ kind: "user", userId: admin.id }), [2, 1], "the admin's action on the member is in the admin's log");
    assert.deepEqual(await ns({ kind: "user", userId: member.id }), [2]);
    assert.deepEqual(await ns({ kind: "account", accountId: reseller.id }), [2, 1]);
    assert.deepEqual(await ns({ kind: "account_and_customers", accountId: reseller.id }), [3, 2, 1]);
    assert.deepEqual(await ns({ kind: "account_and_customers", accountId: reseller.id }, { userId: buyer.id }), [3]);
    const all = await ns({ kind: "all" });
    for (const n of [1, 2, 3, 4]) assert.ok(all.includes(n));
    const [first] = await store().events.searchEvents({ scope: { kind: "user", userId: member.id }, limit: 1 });
    assert.equal(first!.actorEmail, admin.email);
    assert.equal(first!.subjectEmail, member.email);
    assert.equal(first!.accountName, reseller.name);
  });

  it("filters by type and time range, and pages by seq without gaps or repeats", async () => {
    const owner = await context.user();
    for (let i = 1; i <= 7; i++) await append(owner, { n: i, at: now + i * 1000, type: i % 2 ? "login.succeeded" : "logout" });
    const scope = { kind: "user", userId: owner.id } as const;
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store().events.searchEvents({ scope, limit: 3, ...(before !== undefined ? { before } : {}) });
      seen.push(...page.map((event) => Number(event.detail.n)));
      if (page.length < 3) break;
      before = page.at(-1)!.seq;
    }
    assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1]);
    const logouts = await store().events.searchEvents({ scope, types: ["logout"], limit: 10 });
    assert.deepEqual(logouts.map((event) => event.detail.n), [6, 4, 2]);
    const ranged = await store().events.searchEvents({ scope, from: now + 2000, to: now + 5000, limit: 10 });
    assert.deepEqual(ranged.map((event) => event.detail.n), [4, 3, 2], "from is inclusive, to exclusive");
  });

  it("is append-only: the port has no method that changes or removes an event, and its SQL never does", async () => {
    assert.deepEqual(portCalls(store().events), ["appendEvent", "listEvents", "searchEvents"]);
    const source = readFileSync(new URL("../../../src/store/kysely/events.ts", import.meta.url), "utf8");
    assert.doesNotMatch(source, /updateTable\(\s*["']events|deleteFrom\(\s*["']events|\bupdate\s+events\b|\bdelete\s+from\s+events\b/i);
    const owner = await context.user();
    await append(owner, { n: 9 });
    await store().transaction(async (tx) => {
      // Everything a transaction offers on the event log: none of it rewrites what is there.
      assert.deepEqual(portCalls(tx.events), ["appendEvent", "listEvents", "searchEvents"]);
    });
    const [kept] = await store().events.searchEvents({ scope: { kind: "user", userId: owner.id }, limit: 1 });
    assert.equal(kept!.detail.n, 9);
  });
}
