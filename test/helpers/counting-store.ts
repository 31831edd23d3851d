import { after, before, beforeEach } from "node:test";
import type { Store, Stores } from "../../src/store/store.js";
import { createTestApp, type TestApp } from "./runtime.js";

/** One call on a store port, in order: which port and method, and whether it ran on a transaction's ports. */
export type StoreCall = { kind: "call"; port: string; method: string; inTransaction: boolean; args: unknown[] } | { kind: "transaction_end" };

/** Reads by name; every other port method (insert, count, claim, complete, revoke, …) writes. */
const readMethod = /^(find|list|get|load|has|is)|^count(AccountUsers|SealedValues)$/;

export const isWrite = (call: StoreCall): boolean => call.kind === "call" && !readMethod.test(call.method);
/** A read of a login flow row: the second step's joined reads and the plain one. */
export const isFlowRead = (call: StoreCall): boolean => call.kind === "call" && call.port === "sessions" && /^find.*Login/.test(call.method);
/** A read of the policy layers (one per resolved policy). */
export const isPolicyRead = (call: StoreCall): boolean => call.kind === "call" && call.port === "accounts" && call.method === "findPolicyLayers";

/**
 * Wraps `deps.store` so every port call (outer and inside each transaction)
 * lands in `calls`, with a marker where each transaction ended. Nothing is
 * changed: the calls go to the real ports.
 */
export function countingStore(store: Store, calls: StoreCall[]): Store {
  return watch(store, calls, false) as Store;
}

function watch<T extends Stores>(ports: T, calls: StoreCall[], inTransaction: boolean): T {
  return new Proxy(ports, {
    get(target, key) {
      // The real object as `this` for its getters (a transaction's ports are bound on first use): its own fields stay unseen.
      const value = Reflect.get(target, key);
      if (key === "transaction" && typeof value === "function") {
        return async (work: (tx: Stores) => Promise<unknown>) => {
          try {
            return await value.call(target, (tx: Stores) => work(watch(tx, calls, true)));
          } finally {
            calls.push({ kind: "transaction_end" });
          }
        };
      }
      if (value && typeof value === "object") return port(String(key), value, calls, inTransaction);
      return value;
    },
  });
}

function port<T extends object>(name: string, target: T, calls: StoreCall[], inTransaction: boolean): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push({ kind: "call", port: name, method: String(key), inTransaction, args });
        return value.apply(object, args);
      };
    },
  });
}

/**
 * In a `describe`: a test app (before all) whose `deps.store` records every port call in `calls`
 * (emptied before each test), closed (after all) with its own store put back. The app and the services read `deps.store` on
 * each call, so the wrapper sees every one.
 */
export function withCountingStore(options?: Parameters<typeof createTestApp>[0]): { calls: StoreCall[]; app(): TestApp } {
  const calls: StoreCall[] = [];
  let t: TestApp | undefined;
  let original: Store;
  before(async () => {
    t = await createTestApp(options);
    original = t.deps.store;
    (t.deps as { store: Store }).store = countingStore(original, calls);
  });
  beforeEach(() => {
    calls.length = 0;
  });
  after(async () => {
    if (!t) return;
    (t.deps as { store: Store }).store = original;
    await t.close();
  });
  return { calls, app: () => t! };
}
