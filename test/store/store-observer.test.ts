/**
 * The Kysely store's observer (src/store/observer.ts; the metrics are one, src/operations/observed-parts.ts),
 * on the store TWOSTEP_TEST_DATABASE picks (SQLite by default; PostgreSQL through
 * scripts/postgres-test-cluster.sh):
 * - an event appended in a transaction is told once that transaction committed, in the order
 *   appended, and never when it rolled back; one appended outside a transaction at once;
 * - a refused `countAttempt` is told with its key, an allowed one is not; every `countInWindow`
 *   is told with its key and count;
 * - `findLoginAttempt`'s refused counts are told with the counter's key (the address's, or the
 *   user's prefix and id), once each, and nothing it counted through `countAttempt`'s statement twice;
 * - a store with an observer passes the whole store conformance suite.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { SecurityEvent } from "../../src/domain/model.js";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import type { StoreObserver } from "../../src/store/observer.js";
import type { Store } from "../../src/store/store.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";
import { runStoreConformance } from "./conformance.js";
import { createConformanceContext, now, schedule } from "./conformance/fixtures.js";

type Heard = { committed: string } | { refused: string } | { window: string; count: number };

function recordingObserver(heard: Heard[]): StoreObserver {
  return {
    eventCommitted: (event) => void heard.push({ committed: event.id }),
    attemptRefused: (key) => void heard.push({ refused: key }),
    windowCounted: (key, count) => void heard.push({ window: key, count }),
  };
}

describe(`the store's observer on ${testDatabaseKind()}`, () => {
  let database: TestDatabase;
  let store: Store;
  const heard: Heard[] = [];
  const context = createConformanceContext(() => store);
  before(async () => {
    database = await openTestDatabase();
    store = createKyselyStore(database.db, recordingObserver(heard));
  });
  after(() => database.close());

  const event = (owner: { id: string; accountId: string }, id: string): SecurityEvent => ({
    id, accountId: owner.accountId, actorUserId: owner.id, subjectUserId: owner.id, type: "login.succeeded", detail: { factor: "totp" }, clientAddress: null, userAgent: null, createdAt: now,
  });

  it("tells a transaction's events once it committed, in order, never a rolled-back one's, and an event outside a transaction at once", async () => {
    const owner = await context.user();
    heard.length = 0;
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.events.appendEvent(event(owner, "rolled-back"));
        throw new Error("roll back");
      }),
      /roll back/,
    );
    assert.deepEqual(heard, [], "a rolled-back event is never told");
    const [first, second] = [randomUUID(), randomUUID()];
    await store.transaction(async (tx) => {
      await tx.events.appendEvent(event(owner, first));
      await tx.events.appendEvent(event(owner, second));
      assert.deepEqual(heard, [], "not before the commit");
    });
    assert.deepEqual(heard, [{ committed: first }, { committed: second }]);
    const outside = randomUUID();
    await store.events.appendEvent(event(owner, outside));
    assert.deepEqual(heard.slice(2), [{ committed: outside }]);
    assert.deepEqual((await store.events.listEvents({ subjectUserId: owner.id, limit: 10 })).map((logged) => logged.id).sort(), [first, second, outside].sort(), "what was told is what was written");
  });

  it("tells a refused attempt by its key and every counted window with its count, inside a transaction as well", async () => {
    heard.length = 0;
    const key = `password-address:${randomUUID()}`;
    for (let i = 0; i < 3; i++) assert.equal((await store.counters.countAttempt(key, now, schedule)).allowed, true);
    assert.deepEqual(heard, [], "an allowed attempt is not told");
    assert.equal((await store.transaction((tx) => tx.counters.countAttempt(key, now, schedule))).allowed, false);
    assert.equal((await store.counters.countAttempt(key, now, schedule)).allowed, false);
    const window = `reset-account:${randomUUID()}`;
    await store.counters.countInWindow(window, now, 3600);
    await store.transaction((tx) => tx.counters.countInWindow(window, now, 3600));
    assert.deepEqual(heard, [{ refused: key }, { refused: key }, { window, count: 1 }, { window, count: 2 }]);
  });

  it("tells findLoginAttempt's refused counts by the counter's key, once each", async () => {
    const owner = await context.user();
    const method = context.method(owner.id, { isDefault: true });
    await store.methods.insertMethod(method);
    const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: method.id, createdAt: now, expiresAt: now + 3_600_000 };
    await store.sessions.insertLoginFlow(flow, `obs-${flow.id}`);
    const addressKey = `address:${randomUUID()}`;
    const keyPrefix = `user-${randomUUID()}:`;
    const count = { now, methodTypes: ["totp" as const], address: { key: addressKey, schedule }, user: { keyPrefix, schedule } };
    heard.length = 0;
    // Three free failures, then the address is locked (and the user is not counted).
    for (let i = 0; i < 3; i++) assert.equal((await store.sessions.findLoginAttempt(`obs-${flow.id}`, null, count))?.counts?.address?.allowed, true);
    assert.deepEqual(heard, []);
    const locked = await store.transaction((tx) => tx.sessions.findLoginAttempt(`obs-${flow.id}`, null, count));
    assert.deepEqual(locked?.counts, { address: { allowed: false, lockedUntil: now + 60_000 }, user: null });
    assert.deepEqual(heard, [{ refused: addressKey }]);
    // A new address counts; the user, at three failures, is locked.
    heard.length = 0;
    const fresh = { ...count, address: { key: `address:${randomUUID()}`, schedule } };
    assert.equal((await store.sessions.findLoginAttempt(`obs-${flow.id}`, null, fresh))?.counts?.user?.allowed, false);
    assert.deepEqual(heard, [{ refused: keyPrefix + owner.id }]);
    // Without a count nothing is told.
    heard.length = 0;
    assert.ok(await store.sessions.findLoginAttempt(`obs-${flow.id}`, null));
    assert.deepEqual(heard, []);
  });
});

describe(`a store with an observer on ${testDatabaseKind()}`, () =>
  runStoreConformance(`${testDatabaseKind()}, observed`, async () => {
    const database = await openTestDatabase();
    return { store: createKyselyStore(database.db, recordingObserver([])), close: () => database.close() };
  }));
