/** L2, L4, L5, SECURITY 6: the pending login's pure transitions, as a table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beginSecondStep, checkFlowOpen, chooseMethod, defaultMethod } from "../../src/domain/login-flow/flow.js";
import type { Method } from "../../src/domain/model.js";

const method = (id: string, extra: Partial<Method> = {}): Method => ({
  id,
  userId: "u1",
  type: "totp",
  name: id,
  status: "active",
  isDefault: false,
  secretCiphertext: "x",
  lastUsedStep: null,
  replacesMethodId: null,
  createdAt: 1,
  confirmedAt: 1,
  lastUsedAt: null,
  pendingExpiresAt: null,
  displayHint: null,
  ...extra,
});

describe("login flow", () => {
  it("no active method → no second step", () => {
    assert.equal(beginSecondStep({ id: "f", userId: "u1", methods: [method("p", { status: "pending" })], now: 0, ttlSeconds: 300 }), null);
  });

  it("opens on the default method and expires after the TTL", () => {
    const flow = beginSecondStep({ id: "f", userId: "u1", methods: [method("a"), method("b", { isDefault: true })], now: 1000, ttlSeconds: 300 })!;
    assert.equal(flow.methodId, "b");
    assert.equal(flow.expiresAt, 301_000);
    assert.deepEqual(checkFlowOpen(flow, 300_999), { ok: true });
    assert.deepEqual(checkFlowOpen(flow, 301_000), { ok: false, code: "login_expired" });
    assert.deepEqual(checkFlowOpen({ ...flow, state: "completed" }, 2000), { ok: false, code: "login_expired" });
    assert.deepEqual(checkFlowOpen(undefined, 2000), { ok: false, code: "login_expired" });
  });

  it("without a default, the oldest active method is shown", () => {
    assert.equal(defaultMethod([method("new", { createdAt: 5 }), method("old", { createdAt: 2 })])?.id, "old");
  });

  it("switches only to the user's own active methods", () => {
    const flow = beginSecondStep({ id: "f", userId: "u1", methods: [method("a")], now: 0, ttlSeconds: 300 })!;
    const methods = [method("a"), method("b"), method("c", { status: "pending" }), method("d", { userId: "u2" })];
    const chosen = chooseMethod(flow, methods, "b");
    assert.equal(chosen.ok && chosen.flow.methodId, "b");
    for (const id of ["c", "d", "zzz"]) assert.deepEqual(chooseMethod(flow, methods, id), { ok: false, code: "invalid_request", field: "methodId" });
  });
});
