/** Store conformance: methods. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function methodsConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("activates a pending method once, makes it the default, and retires the method it replaces", async () => {
    const owner = await context.user();
    const old = context.method(owner.id, { isDefault: true });
    await store().methods.insertMethod(old);
    const pending = context.method(owner.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now + 1000, replacesMethodId: old.id });
    await store().methods.insertMethod(pending);
    const results = await Promise.all([store().methods.activateMethod(pending.id, 7, now), store().methods.activateMethod(pending.id, 7, now)]);
    assert.deepEqual(results.sort(), [false, true]);
    const methods = await store().methods.listMethods(owner.id);
    assert.equal(methods.length, 1);
    assert.equal(methods[0]!.id, pending.id);
    assert.equal(methods[0]!.isDefault, true);
    assert.equal(methods[0]!.lastUsedStep, 7);
  });

  it("does not activate an expired pending method", async () => {
    const owner = await context.user();
    const pending = context.method(owner.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now });
    await store().methods.insertMethod(pending);
    assert.equal(await store().methods.activateMethod(pending.id, 1, now), false);
  });

  it("claims a TOTP step once, and never a lower or equal one (replay)", async () => {
    const owner = await context.user();
    const active = context.method(owner.id);
    await store().methods.insertMethod(active);
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().methods.claimTotpStep(active.id, 100, now)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal(await store().methods.claimTotpStep(active.id, 99, now), false);
    assert.equal(await store().methods.claimTotpStep(active.id, 101, now), true);
    const pending = context.method(owner.id, { status: "pending" });
    await store().methods.insertMethod(pending);
    assert.equal(await store().methods.claimTotpStep(pending.id, 1, now), false, "a pending method never verifies a login");
  });

  it("deletes pending, single and all methods", async () => {
    const owner = await context.user();
    const a = context.method(owner.id);
    await store().methods.insertMethod(a);
    await store().methods.insertMethod(context.method(owner.id, { status: "pending" }));
    await store().methods.deletePendingMethods(owner.id);
    assert.equal((await store().methods.listMethods(owner.id)).length, 1);
    assert.equal((await store().methods.findMethod(a.id))?.id, a.id);
    await store().methods.deleteMethod(a.id);
    assert.equal(await store().methods.findMethod(a.id), undefined);
    await store().methods.insertMethod(context.method(owner.id));
    await store().methods.deleteAllMethods(owner.id);
    assert.deepEqual(await store().methods.listMethods(owner.id), []);
  });

  it("switches the default among a user's own active methods, renames and marks use", async () => {
    const owner = await context.user();
    const stranger = await context.user();
    const a = context.method(owner.id, { isDefault: true });
    const b = context.method(owner.id);
    const pending = context.method(owner.id, { status: "pending" });
    const foreign = context.method(stranger.id);
    for (const m of [a, b, pending, foreign]) await store().methods.insertMethod(m);
    assert.equal(await store().methods.setDefaultMethod(owner.id, b.id), true);
    assert.equal(await store().methods.setDefaultMethod(owner.id, pending.id), false);
    assert.equal(await store().methods.setDefaultMethod(owner.id, foreign.id), false);
    const methods = await store().methods.listMethods(owner.id);
    assert.deepEqual(methods.filter((m) => m.isDefault).map((m) => m.id), [b.id]);
    await store().methods.renameMethod(a.id, "Work phone");
    await store().methods.markMethodUsed(a.id, now + 9);
    const renamed = await store().methods.findMethod(a.id);
    assert.equal(renamed?.name, "Work phone");
    assert.equal(renamed?.lastUsedAt, now + 9);
  });
}
