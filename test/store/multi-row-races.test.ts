/**
 * Races on the store writes that touch more than one row, on the database
 * TWOSTEP_TEST_DATABASE picks (scripts/test.sh runs this on SQLite and again on
 * PostgreSQL, where Promise.all puts each call on its own pool connection and the
 * calls meet in the server under READ COMMITTED):
 *   - parallel resends for one login leave exactly one usable code (SECURITY 24);
 *   - a user's two methods activated at once both activate, with one default, and
 *     no deadlock (each activation touches the other's row);
 *   - parallel default switches end with exactly one default.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Method, SmsCode } from "../../src/domain/model.js";
import type { Store } from "../../src/store/store.js";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";
import { createConformanceContext, now } from "./conformance/fixtures.js";



describe("store: races on multi-row writes", () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await openTestDatabase();
    store = createKyselyStore(database.db);
  });
  after(() => database.close());

  // The same row factories as the conformance suite.
  const rows = createConformanceContext(() => store);
  const user = () => rows.user();
  const method = (userId: string, extra: Partial<Method> = {}) => rows.method(userId, extra);

  it(`leaves one usable code after 10 parallel resends for one login`, async () => {
    const owner = await user();
    const sms = method(owner.id, { type: "sms", displayHint: "+44 •••••••123" });
    await store.methods.insertMethod(sms);
    const code = (i: number): SmsCode => ({
      id: `code-${randomUUID()}`,
      userId: owner.id,
      methodId: sms.id,
      purpose: "login",
      bindingId: "flow-race",
      codeHash: `hash-${i}`,
      createdAt: now + i,
      expiresAt: now + 300_000,
      usedAt: null,
    });
    const codes = Array.from({ length: 10 }, (_, i) => code(i));
    await Promise.all(codes.map((c) => store.codes.replaceSmsCode(c, now + 1)));
    const usable = [];
    for (const c of codes) if (await store.codes.consumeSmsCode(c.id, now + 2)) usable.push(c.id);
    assert.equal(usable.length, 1, `exactly one code survives the resends (${database.kind})`);
  });

  it(`activates two pending methods of one user at once: both active, one default, no deadlock`, async () => {
    for (let round = 0; round < 5; round++) {
      const owner = await user();
      const old = method(owner.id, { isDefault: true });
      const a = method(owner.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now + 60_000 });
      const b = method(owner.id, { type: "sms", status: "pending", confirmedAt: null, pendingExpiresAt: now + 60_000 });
      for (const m of [old, a, b]) await store.methods.insertMethod(m);
      const results = await Promise.all([store.methods.activateMethod(a.id, 1, now), store.methods.activateMethod(b.id, null, now)]);
      assert.deepEqual(results, [true, true]);
      const methods = await store.methods.listMethods(owner.id);
      assert.equal(methods.filter((m) => m.status === "active").length, 3);
      const defaults = methods.filter((m) => m.isDefault).map((m) => m.id);
      assert.equal(defaults.length, 1, "one default");
      assert.ok([a.id, b.id].includes(defaults[0]!), "the default is one of the methods just enabled (M3)");
    }
  });

  it(`switches the default in parallel and ends with exactly one`, async () => {
    const owner = await user();
    const methods = Array.from({ length: 4 }, (_, i) => method(owner.id, { isDefault: i === 0 }));
    for (const m of methods) await store.methods.insertMethod(m);
    const results = await Promise.all(methods.concat(methods).map((m) => store.methods.setDefaultMethod(owner.id, m.id)));
    assert.ok(results.every(Boolean));
    assert.equal((await store.methods.listMethods(owner.id)).filter((m) => m.isDefault).length, 1);
  });
});
