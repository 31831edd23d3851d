/** Store conformance: recovery and SMS codes. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function codesConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("replaces recovery codes as a set and consumes each once, even when raced", async () => {
    const owner = await context.user();
    await store().codes.replaceRecoveryCodes(owner.id, "salt-1", [{ id: randomUUID(), codeHash: "h1" }], now);
    const codes = [{ id: randomUUID(), codeHash: "a" }, { id: randomUUID(), codeHash: "b" }];
    await store().codes.replaceRecoveryCodes(owner.id, "salt-2", codes, now);
    const set = await store().codes.findRecoveryCodes(owner.id);
    assert.equal(set?.salt, "salt-2");
    assert.deepEqual(set?.codes.map((code) => code.codeHash).sort(), ["a", "b"]);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().codes.consumeRecoveryCode(codes[0]!.id, now)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal((await store().codes.findRecoveryCodes(owner.id))?.codes.find((code) => code.id === codes[0]!.id)?.usedAt, now);
    await store().codes.deleteRecoveryCodes(owner.id);
    assert.equal(await store().codes.findRecoveryCodes(owner.id), undefined);
  });

  it("replaces SMS codes per binding and consumes each once, never after expiry", async () => {
    const owner = await context.user();
    const sms = context.method(owner.id, { type: "sms", displayHint: "+44 •••••••123" });
    await store().methods.insertMethod(sms);
    assert.equal((await store().methods.findMethod(sms.id))?.displayHint, "+44 •••••••123");
    const code = (id: string, bindingId: string, createdAt = now) => ({
      id,
      userId: owner.id,
      methodId: sms.id,
      purpose: "login" as const,
      bindingId,
      codeHash: `hash-${id}`,
      createdAt,
      expiresAt: createdAt + 1000,
      usedAt: null,
    });
    await store().codes.replaceSmsCode(code("c1", "flow-a"), now);
    await store().codes.replaceSmsCode(code("other", "flow-b"), now);
    await store().codes.replaceSmsCode(code("c2", "flow-a", now + 1), now + 1);
    assert.equal((await store().codes.findLatestSmsCode(sms.id, "login", "flow-a"))?.id, "c2", "a resend replaces the earlier code");
    assert.equal(await store().codes.consumeSmsCode("c1", now + 2), false, "the replaced code is dead");
    assert.equal((await store().codes.findLatestSmsCode(sms.id, "login", "flow-b"))?.id, "other", "other bindings are untouched");
    assert.equal(await store().codes.findLatestSmsCode(sms.id, "enrol", "flow-a"), undefined);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().codes.consumeSmsCode("c2", now + 2)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal(await store().codes.findLatestSmsCode(sms.id, "login", "flow-a"), undefined);
    assert.equal(await store().codes.consumeSmsCode("other", now + 1000), false, "expired");
  });
}
