/** Store conformance: A1's user list (keyset pages in email order, search, "without 2FA", methods and last login) and coverage counts. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { User } from "../../../src/domain/model.js";
import { client, type ConformanceContext, now } from "./fixtures.js";

export function userDirectoryConformance(context: ConformanceContext) {
  const store = () => context.store;

  async function accountWith(emails: string[]) {
    const account = await context.account();
    const users: User[] = [];
    for (const [index, email] of emails.entries()) {
      const user: User = { id: randomUUID(), accountId: account.id, email, displayName: `Name ${index}`, role: "member", passwordHash: "$argon2id$stub", active: true, createdAt: now };
      await store().accounts.insertUser(user);
      users.push(user);
    }
    return { account, users };
  }

  it("pages an account's users in email order after the cursor, with active method types and the newest session", async () => {
    const tag = randomUUID().slice(0, 8);
    const { account, users } = await accountWith([`c-${tag}@x.test`, `a-${tag}@x.test`, `b_${tag}@x.test`, `d-${tag}@x.test`]);
    await context.user(); // another account's user: never listed
    const [c, a, b] = users;
    await store().methods.insertMethod(context.method(a!.id, { type: "totp" }));
    await store().methods.insertMethod(context.method(a!.id, { type: "sms" }));
    await store().methods.insertMethod(context.method(a!.id, { type: "sms", id: randomUUID() }));
    await store().methods.insertMethod(context.method(b!.id, { status: "pending" }));
    await store().sessions.insertSession({ id: randomUUID(), userId: c!.id, createdAt: now - 10, expiresAt: now + 1000, authenticatedAt: now, recoveryCodeUsed: false }, `h-${randomUUID()}`, client);
    await store().sessions.insertSession({ id: randomUUID(), userId: c!.id, createdAt: now - 5, expiresAt: now + 1000, authenticatedAt: now, recoveryCodeUsed: false }, `h-${randomUUID()}`, client);

    const first = await store().accounts.listAccountUsers({ accountId: account.id, limit: 2 });
    assert.deepEqual(first.map((entry) => entry.user.email), [`a-${tag}@x.test`, `b_${tag}@x.test`]);
    assert.deepEqual(first[0]!.methodTypes, ["sms", "totp"], "each type once, sorted; pending methods do not count");
    assert.deepEqual(first[1]!.methodTypes, []);
    const rest = await store().accounts.listAccountUsers({ accountId: account.id, afterEmail: first[1]!.user.email, limit: 10 });
    assert.deepEqual(rest.map((entry) => entry.user.email), [`c-${tag}@x.test`, `d-${tag}@x.test`]);
    assert.equal(rest[0]!.lastLoginAt, now - 5);
    assert.equal(rest[1]!.lastLoginAt, null);

    const without = await store().accounts.listAccountUsers({ accountId: account.id, withoutTwoFactor: true, limit: 10 });
    assert.deepEqual(without.map((entry) => entry.user.id), [b!.id, c!.id, users[3]!.id]);
    assert.deepEqual((await store().accounts.listAccountUsers({ accountId: account.id, search: `c-${tag}`, limit: 10 })).map((entry) => entry.user.id), [c!.id]);
    assert.deepEqual((await store().accounts.listAccountUsers({ accountId: account.id, search: "name 2", limit: 10 })).map((entry) => entry.user.id), [b!.id], "display name prefix, any case");
    assert.deepEqual(await store().accounts.listAccountUsers({ accountId: account.id, search: "b%", limit: 10 }), [], "% is literal");
    assert.deepEqual(await store().accounts.listAccountUsers({ accountId: account.id, search: "_", limit: 10 }), [], "_ is literal");

    assert.deepEqual(await store().accounts.countAccountUsers(account.id), { total: 4, withTwoFactor: 1 });
    assert.deepEqual(await store().accounts.countAccountUsers(randomUUID()), { total: 0, withTwoFactor: 0 });
  });

  it("keeps the coverage count through every way a method comes and goes", async () => {
    const { account, users } = await accountWith([`p-${randomUUID()}@x.test`, `q-${randomUUID()}@x.test`, `r-${randomUUID()}@x.test`]);
    const [p, q] = users;
    const count = () => store().accounts.countAccountUsers(account.id);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 0 });
    const pending = context.method(p!.id, { status: "pending", confirmedAt: null, pendingExpiresAt: now + 60_000 });
    await store().methods.insertMethod(pending);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 0 }, "a pending method is no 2FA");
    assert.equal(await store().methods.activateMethod(pending.id, 1, now), true);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 1 }, "confirming it is");
    const second = context.method(p!.id, { type: "sms" });
    await store().methods.insertMethod(second);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 1 }, "a second method is the same user");
    await store().methods.deleteMethod(pending.id);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 1 }, "one method left");
    await store().methods.deleteMethod(second.id);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 0 }, "the last one gone");
    await store().methods.insertMethod(context.method(q!.id));
    await store().methods.insertMethod(context.method(q!.id, { type: "sms" }));
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 1 });
    await store().methods.deleteAllMethods(q!.id);
    assert.deepEqual(await count(), { total: 3, withTwoFactor: 0 }, "a reset removes them all at once");
    await accountWithUserIn(account.id);
    assert.deepEqual(await count(), { total: 4, withTwoFactor: 0 }, "a new user counts");
    const emptyAccount = await context.account();
    assert.deepEqual(await store().accounts.countAccountUsers(emptyAccount.id), { total: 0, withTwoFactor: 0 });
  });

  it("counts a user once when two transactions add their first methods at the same time", async () => {
    const { account, users } = await accountWith([`s-${randomUUID()}@x.test`]);
    await Promise.all(
      [0, 1].map(() => store().transaction(async (tx) => {
        await tx.methods.insertMethod(context.method(users[0]!.id));
      })),
    );
    assert.deepEqual(await store().accounts.countAccountUsers(account.id), { total: 1, withTwoFactor: 1 });
    const [entry] = await store().accounts.listAccountUsers({ accountId: account.id, withoutTwoFactor: true, limit: 10 });
    assert.equal(entry, undefined, "and the filter agrees");
  });

  it("searches display names in full Unicode and bytewise email order, on both paths", async () => {
    const tag = randomUUID().slice(0, 8);
    const account = await context.account();
    const names = ["Émile Zola", "émilie", "Ólafur", "Emil"];
    const made: User[] = [];
    for (const [index, displayName] of names.entries()) {
      const user: User = { id: randomUUID(), accountId: account.id, email: `${index}-${tag}@x.test`, displayName, role: "member", passwordHash: "$argon2id$stub", active: true, createdAt: now };
      await store().accounts.insertUser(user);
      made.push(user);
    }
    const search = (text: string, extra: { afterEmail?: string; limit?: number } = {}) =>
      store().accounts.listAccountUsers({ accountId: account.id, search: text, limit: extra.limit ?? 10, afterEmail: extra.afterEmail ?? null }).then((entries) => entries.map((entry) => entry.user.displayName));
    assert.deepEqual(await search("émil"), ["Émile Zola", "émilie"], "É and é are the same letter, and Emil is not émil");
    assert.deepEqual(await search("ÓLA"), ["Ólafur"]);
    assert.deepEqual(await search("émil", { limit: 1 }), ["Émile Zola"]);
    assert.deepEqual(await search("émil", { afterEmail: made[0]!.email }), ["émilie"], "the cursor applies to name matches");
    assert.deepEqual(await search(`1-${tag}`), ["émilie"], "an email prefix");

    // Many name matches: the other path (a walk in email order) answers the same way.
    const many = await context.account();
    await store().transaction(async (tx) => {
      for (let i = 0; i < 2100; i++) {
        await tx.accounts.insertUser({ id: randomUUID(), accountId: many.id, email: `u${String(i).padStart(5, "0")}@many.test`, displayName: `Common ${i}`, role: "member", passwordHash: "x", active: true, createdAt: now });
      }
    });
    const page = await store().accounts.listAccountUsers({ accountId: many.id, search: "common 2", limit: 3, afterEmail: "u00002@many.test" });
    assert.deepEqual(page.map((entry) => entry.user.displayName), ["Common 20", "Common 21", "Common 22"]);
    const sparse = await store().accounts.listAccountUsers({ accountId: many.id, search: "common 209", limit: 5 });
    assert.deepEqual(sparse.map((entry) => entry.user.displayName), ["Common 209", "Common 2090", "Common 2091", "Common 2092", "Common 2093"]);
    assert.deepEqual(await store().accounts.countAccountUsers(many.id), { total: 2100, withTwoFactor: 0 });
  });

  async function accountWithUserIn(accountId: string) {
    await store().accounts.insertUser({ id: randomUUID(), accountId, email: `t-${randomUUID()}@x.test`, displayName: "T", role: "member", passwordHash: "x", active: true, createdAt: now });
  }

  it("deactivates and reactivates a user", async () => {
    const user = await context.user();
    await store().accounts.setUserActive(user.id, false);
    assert.equal((await store().accounts.findUserById(user.id))?.active, false);
    await store().accounts.setUserActive(user.id, true);
    assert.equal((await store().accounts.findUserById(user.id))?.active, true);
  });
}
