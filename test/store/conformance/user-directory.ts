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

  it("deactivates and reactivates a user", async () => {
    const user = await context.user();
    await store().accounts.setUserActive(user.id, false);
    assert.equal((await store().accounts.findUserById(user.id))?.active, false);
    await store().accounts.setUserActive(user.id, true);
    assert.equal((await store().accounts.findUserById(user.id))?.active, true);
  });
}
