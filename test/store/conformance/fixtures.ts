/** What every conformance file shares: the store under test and small factories for rows. */
import { randomUUID } from "node:crypto";
import type { Account, Method, User } from "../../../src/domain/model.js";
import { lockSchedule } from "../../../src/domain/throttle.js";
import type { Store } from "../../../src/store/store.js";

export const now = 1_795_000_000_000;
export const schedule = { rows: lockSchedule({ freeFailures: 3, baseLockSeconds: 60, maxLockSeconds: 240 }) };
export const client = { clientAddress: "192.0.2.1", userAgent: "conformance" };

export interface ConformanceContext {
  /** Set in the suite's `before`, so read it inside a test, never at definition time. */
  readonly store: Store;
  account(kind?: Account["kind"], parentId?: string | null): Promise<Account>;
  user(): Promise<User>;
  method(userId: string, extra?: Partial<Method>): Method;
}

export function createConformanceContext(getStore: () => Store): ConformanceContext {
  const context: ConformanceContext = {
    get store() {
      return getStore();
    },
    async account(kind = "reseller", parentId = null) {
      const created: Account = { id: randomUUID(), kind, name: `acct ${randomUUID()}`, parentId, createdAt: now };
      await getStore().accounts.insertAccount(created);
      return created;
    },
    async user() {
      const owner = await context.account();
      const created: User = {
        id: randomUUID(),
        accountId: owner.id,
        email: `${randomUUID()}@example.test`,
        displayName: "Test",
        role: "member",
        passwordHash: "$argon2id$stub",
        active: true,
        createdAt: now,
      };
      await getStore().accounts.insertUser(created);
      return created;
    },
    method(userId, extra = {}) {
      return {
        id: randomUUID(),
        userId,
        type: "totp",
        name: "Authenticator app",
        status: "active",
        isDefault: false,
        secretCiphertext: "v1.k.iv.tag.body",
        lastUsedStep: null,
        replacesMethodId: null,
        createdAt: now,
        confirmedAt: now,
        lastUsedAt: null,
        pendingExpiresAt: null,
        displayHint: null,
        ...extra,
      };
    },
  };
  return context;
}
