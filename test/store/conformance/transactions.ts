/**
 * Store conformance: transactions. A transaction hands its work ports bound to
 * its connection; the outer store refuses to run inside it (on SQLite that
 * would deadlock on the one connection, on PostgreSQL it would silently run
 * outside the transaction and survive a rollback).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { StoreMisuseError } from "../../../src/store/store.js";
import { type ConformanceContext } from "./fixtures.js";

export function transactionsConformance(context: ConformanceContext) {
  const store = () => context.store;

  it("rolls a transaction back when its work throws", async () => {
    const created = await context.user();
    await assert.rejects(
      store().transaction(async (tx) => {
        await tx.methods.insertMethod(context.method(created.id));
        throw new Error("crash halfway");
      }),
    );
    assert.deepEqual(await store().methods.listMethods(created.id), []);
  });

  it("commits every write of the work together", async () => {
    const created = await context.user();
    const first = context.method(created.id);
    const second = context.method(created.id, { type: "sms" });
    await store().transaction(async (tx) => {
      await tx.methods.insertMethod(first);
      await tx.methods.insertMethod(second);
      assert.equal((await tx.methods.listMethods(created.id)).length, 2, "the work sees its own writes");
    });
    assert.equal((await store().methods.listMethods(created.id)).length, 2);
  });

  it("refuses the outer store inside a transaction, and rolls the work back", async () => {
    const created = await context.user();
    await assert.rejects(
      store().transaction(async (tx) => {
        await tx.methods.insertMethod(context.method(created.id));
        await store().methods.insertMethod(context.method(created.id));
      }),
      StoreMisuseError,
    );
    assert.deepEqual(await store().methods.listMethods(created.id), [], "neither write landed");
  });

  it("refuses a nested transaction", async () => {
    await assert.rejects(
      store().transaction(async () => store().transaction(async () => "never")),
      StoreMisuseError,
    );
  });

  it("hands the work the same port on each use, its own ports per transaction, and no transaction of its own", async () => {
    const created = await context.user();
    const seen: { sessions: unknown; methods: unknown }[] = [];
    await store().transaction(async (tx) => {
      assert.equal(tx.sessions, tx.sessions, "a port is bound once for the transaction");
      assert.equal("transaction" in tx, false, "no nested transaction (services/events/audit.ts tells a transaction's ports by it)");
      await tx.methods.insertMethod(context.method(created.id));
      seen.push({ sessions: tx.sessions, methods: tx.methods });
    });
    await store().transaction(async (tx) => {
      assert.equal((await tx.methods.listMethods(created.id)).length, 1, "a port first used after another's write sees it");
      seen.push({ sessions: tx.sessions, methods: tx.methods });
    });
    assert.notEqual(seen[0]!.sessions, seen[1]!.sessions, "each transaction binds its own");
    assert.notEqual(seen[0]!.methods, seen[1]!.methods);
    assert.notEqual(seen[0]!.methods, store().methods, "never the outer port");
  });

  it("refuses the outer store inside a transaction whichever port is used first", async () => {
    const created = await context.user();
    await assert.rejects(
      store().transaction(async () => store().accounts.findUserById(created.id)),
      StoreMisuseError,
    );
    await assert.rejects(
      store().transaction(async (tx) => {
        await tx.accounts.findUserById(created.id);
        await store().sessions.findLiveSession("no-such-hash", 0);
      }),
      StoreMisuseError,
    );
  });

  it("lets other requests use the outer store while a transaction runs", async () => {
    const created = await context.user();
    const [inside, outside, other] = await Promise.all([
      store().transaction(async (tx) => {
        await tx.methods.insertMethod(context.method(created.id));
        return (await tx.methods.listMethods(created.id)).length;
      }),
      store().accounts.findUserById(created.id),
      store().transaction(async (tx) => tx.accounts.findUserById(created.id)),
    ]);
    assert.equal(inside, 1);
    assert.equal(outside?.id, created.id);
    assert.equal(other?.id, created.id);
  });
}
