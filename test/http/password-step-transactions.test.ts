/**
 * Issue 16: the password step commits twice, never once per counter. Before
 * argon2id, the address count, the user read and the account count are one
 * transaction; after it, the counts given back (a right password) or the
 * failure's event (a wrong one), with the reads and the new flow, are another.
 * No write runs outside a transaction, and the counts are still taken before
 * the hash: the first transaction ends before the second begins, and it holds
 * both counter writes.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { withCountingStore, isWrite, type StoreCall } from "../helpers/counting-store.js";
import { enrolTotp } from "../helpers/enrol.js";
import type { TestApp } from "../helpers/runtime.js";

describe("the password step: two transactions, no write outside them", () => {
  const counting = withCountingStore();
  const calls = counting.calls;
  let t: TestApp;
  before(() => {
    t = counting.app();
  });

  /** The calls of each transaction, in order (what ran between two ends). */
  const transactions = () => {
    const groups: StoreCall[][] = [[]];
    for (const call of calls) {
      if (call.kind === "transaction_end") groups.push([]);
      else groups.at(-1)!.push(call);
    }
    return groups.slice(0, -1);
  };
  const methodsOf = (group: StoreCall[]) => group.map((call) => (call.kind === "call" ? `${call.port}.${call.method}` : ""));
  const writesOutside = () => calls.filter((call) => isWrite(call) && call.kind === "call" && !call.inTransaction);

  it("a right password: the counts in the first, the counts given back and the flow in the second", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    calls.length = 0;
    const answer = await new ApiClient(t.app).post("/api/login", { email: enrolled.user.email, password: enrolled.password });
    assert.equal(answer.body.status, "second_factor_required", answer.raw.body);
    assert.deepEqual(writesOutside(), []);
    const [counted, settled, ...more] = transactions();
    assert.equal(more.length, 0, "two transactions");
    assert.deepEqual(methodsOf(counted!), ["counters.countAttempt", "accounts.findUserByEmail", "counters.countAttempt"]);
    const second = methodsOf(settled!);
    assert.deepEqual(second.slice(0, 2), ["counters.refundAttempt", "counters.clearAttempts"]);
    assert.ok(second.includes("sessions.insertLoginFlow"), second.join(", "));
  });

  it("a wrong password and an unknown email: the counts in one, the failure in another, nothing given back", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    for (const email of [enrolled.user.email, "nobody-here@example.test"]) {
      calls.length = 0;
      const answer = await new ApiClient(t.app).post("/api/login", { email, password: "not the password at all" });
      assert.equal(answer.status, 401, answer.raw.body);
      assert.deepEqual(writesOutside(), []);
      const [counted, failed, ...more] = transactions();
      assert.equal(more.length, 0, "two transactions");
      assert.deepEqual(methodsOf(counted!), ["counters.countAttempt", "accounts.findUserByEmail", "counters.countAttempt"]);
      assert.ok(!methodsOf(failed!).some((name) => name === "counters.refundAttempt" || name === "counters.clearAttempts"), methodsOf(failed!).join(", "));
    }
  });
});
