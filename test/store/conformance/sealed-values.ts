/**
 * Store conformance: sealed values by key id (key rotation). Other files'
 * rows share the database, so each test uses key ids of its own and looks
 * only at its own rows.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import type { SealedValue } from "../../../src/store/store.js";
import { type ConformanceContext } from "./fixtures.js";

const column = "methods.secret_ciphertext" as const;
const sealedUnder = (keyId: string) => `v1.${keyId}.iv.tag.${randomBytes(6).toString("base64url")}`;
const unique = () => randomBytes(4).toString("hex");

export function sealedValuesConformance(context: ConformanceContext) {
  const store = () => context.store;

  async function insertUnder(ciphertexts: string[]): Promise<Map<string, string>> {
    const owner = await context.user();
    const byId = new Map<string, string>();
    for (const ciphertext of ciphertexts) {
      const method = context.method(owner.id, { secretCiphertext: ciphertext });
      await store().methods.insertMethod(method);
      byId.set(method.id, ciphertext);
    }
    return byId;
  }

  async function listAll(notUnderKeyIds: string[], limit: number): Promise<{ pages: SealedValue[][]; values: SealedValue[] }> {
    const pages: SealedValue[][] = [];
    let afterId: string | null = null;
    for (;;) {
      const page = await store().sealedValues.listSealedValues(column, { notUnderKeyIds, afterId, limit });
      if (page.length === 0) break;
      pages.push(page);
      afterId = page[page.length - 1]!.id;
    }
    return { pages, values: pages.flat() };
  }

  it("lists the values under none of the given keys, malformed ones included, once each, in id order, a page at a time", async () => {
    const [a, b] = [`a${unique()}`, `b${unique()}`];
    const rows = await insertUnder([sealedUnder(a), sealedUnder(a), sealedUnder(a), sealedUnder(b), sealedUnder(b), "not sealed at all"]);
    const { pages, values } = await listAll([a], 2);
    assert.ok(pages.every((page) => page.length <= 2));
    const ids = values.map((value) => value.id);
    assert.deepEqual(ids, [...ids].sort(), "keyset order is by id");
    assert.equal(new Set(ids).size, ids.length, "no row is listed twice");
    const mine = values.filter((value) => rows.has(value.id));
    assert.deepEqual(
      mine.map((value) => value.ciphertext).sort(),
      [...rows.values()].filter((ciphertext) => !ciphertext.startsWith(`v1.${a}.`)).sort(),
    );
    assert.ok(mine.every((value) => value.column === column && value.ciphertext === rows.get(value.id)));
    const neither = (await listAll([a, b], 100)).values.filter((value) => rows.has(value.id));
    assert.deepEqual(neither.map((value) => value.ciphertext), ["not sealed at all"]);
  });

  it("counts the values under a key id", async () => {
    const [a, b] = [`a${unique()}`, `b${unique()}`];
    await insertUnder([sealedUnder(a), sealedUnder(a), sealedUnder(b)]);
    assert.equal(await store().sealedValues.countSealedValues(column, a), 2);
    assert.equal(await store().sealedValues.countSealedValues(column, b), 1);
    assert.equal(await store().sealedValues.countSealedValues(column, `c${unique()}`), 0);
  });

  it("matches the key id exactly: case, _ and % are not patterns, and k1 is not a prefix of k10", async () => {
    const stem = `t${unique()}`;
    const rows = await insertUnder([sealedUnder(`${stem}_b`), sealedUnder(`${stem}Xb`), sealedUnder(stem.toUpperCase()), sealedUnder(`${stem}0`)]);
    for (const keyId of [`${stem}_b`, `${stem}Xb`, stem.toUpperCase(), `${stem}0`]) {
      assert.equal(await store().sealedValues.countSealedValues(column, keyId), 1, keyId);
    }
    assert.equal(await store().sealedValues.countSealedValues(column, stem), 0, "neither the upper-case id nor the longer one is under the stem");
    assert.equal(await store().sealedValues.countSealedValues(column, `${stem}%`), 0);
    const notUnderUnderscore = (await listAll([`${stem}_b`], 50)).values.filter((value) => rows.has(value.id));
    assert.equal(notUnderUnderscore.length, 3, "the id with X in place of _ is still listed");
    assert.ok(!notUnderUnderscore.some((value) => value.ciphertext.startsWith(`v1.${stem}_b.`)));
    const notUnderStem = (await listAll([stem], 50)).values.filter((value) => rows.has(value.id));
    assert.equal(notUnderStem.length, 4, "the upper-case id and the longer id are other keys");
  });

  it("replaces a value only while it is still the expected one: one of two racers wins, a stale or deleted row is left alone", async () => {
    const keyId = `r${unique()}`;
    const rows = await insertUnder([sealedUnder(keyId), sealedUnder(keyId)]);
    const [[id, old], [deletedId, deletedOld]] = [...rows.entries()] as [[string, string], [string, string]];
    const results = await Promise.all([
      store().sealedValues.replaceSealedValue(column, id, old, "v1.new.a.a.a"),
      store().sealedValues.replaceSealedValue(column, id, old, "v1.new.b.b.b"),
    ]);
    assert.deepEqual([...results].sort(), [false, true]);
    const winner = results[0] ? "v1.new.a.a.a" : "v1.new.b.b.b";
    assert.equal((await store().methods.findMethod(id))?.secretCiphertext, winner);
    assert.equal(await store().sealedValues.replaceSealedValue(column, id, old, "v1.new.c.c.c"), false, "stale: the value changed since it was read");
    assert.equal((await store().methods.findMethod(id))?.secretCiphertext, winner);
    await store().methods.deleteMethod(deletedId);
    assert.equal(await store().sealedValues.replaceSealedValue(column, deletedId, deletedOld, "v1.new.d.d.d"), false);
    assert.equal(await store().methods.findMethod(deletedId), undefined, "a deleted row is not brought back");
  });

  it("replaces inside a transaction, and a rolled-back transaction leaves the old value", async () => {
    const keyId = `x${unique()}`;
    const rows = await insertUnder([sealedUnder(keyId), sealedUnder(keyId)]);
    const [[first, firstOld], [second, secondOld]] = [...rows.entries()] as [[string, string], [string, string]];
    await assert.rejects(
      store().transaction(async (tx) => {
        assert.equal(await tx.sealedValues.replaceSealedValue(column, first, firstOld, "v1.new.e.e.e"), true);
        throw new Error("crash halfway through the batch");
      }),
    );
    assert.equal((await store().methods.findMethod(first))?.secretCiphertext, firstOld);
    await store().transaction(async (tx) => {
      assert.equal(await tx.sealedValues.replaceSealedValue(column, first, firstOld, "v1.new.f.f.f"), true);
      assert.equal(await tx.sealedValues.replaceSealedValue(column, second, secondOld, "v1.new.g.g.g"), true);
    });
    assert.equal(await store().sealedValues.countSealedValues(column, keyId), 0);
  });
}
