/** Store conformance: a reseller's customer accounts (A3), keyset pages by name, prefix search, 2FA counts; users with active methods. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { Account, User } from "../../../src/domain/model.js";
import { type ConformanceContext, now } from "./fixtures.js";

export function customersConformance(context: ConformanceContext) {
  const store = () => context.store;
  const customer = async (resellerId: string, name: string): Promise<Account> => {
    const account: Account = { id: randomUUID(), kind: "customer", name, parentId: resellerId, createdAt: now };
    await store().accounts.insertAccount(account);
    return account;
  };
  const user = async (accountId: string, email: string): Promise<User> => {
    const created: User = { id: randomUUID(), accountId, email, displayName: email, role: "member", passwordHash: "$argon2id$stub", active: true, createdAt: now };
    await store().accounts.insertUser(created);
    return created;
  };

  it("lists only this reseller's customers by name, in keyset pages, with user and 2FA counts", async () => {
    const reseller = await context.account("reseller");
    const other = await context.account("reseller");
    const tag = randomUUID().slice(0, 8);
    const beta = await customer(reseller.id, `b-${tag}`);
    const alpha = await customer(reseller.id, `a-${tag}`);
    const gamma = await customer(reseller.id, `c-${tag}`);
    await customer(other.id, `a0-${tag}`);
    const [first, second] = [await user(alpha.id, `1-${tag}@example.test`), await user(alpha.id, `2-${tag}@example.test`)];
    await store().methods.insertMethod(context.method(first.id));
    await store().methods.insertMethod(context.method(second.id, { status: "pending" }));
    await user(beta.id, `3-${tag}@example.test`);

    const page1 = await store().customers.listCustomerAccounts(reseller.id, { limit: 2 });
    assert.deepEqual(
      page1.map((row) => [row.account.name, row.users, row.usersWithTwoFactor]),
      [
        [alpha.name, 2, 1],
        [beta.name, 1, 0],
      ],
      "a pending method is not 2FA",
    );
    const page2 = await store().customers.listCustomerAccounts(reseller.id, { limit: 2, afterName: beta.name });
    assert.deepEqual(
      page2.map((row) => [row.account.id, row.users, row.usersWithTwoFactor]),
      [[gamma.id, 0, 0]],
    );
    assert.deepEqual(page2[0]!.account, gamma);
  });

  it("searches by name prefix, case-insensitively, with % and _ taken literally", async () => {
    const reseller = await context.account("reseller");
    const tag = randomUUID().slice(0, 8);
    const globex = await customer(reseller.id, `Globex ${tag}`);
    await customer(reseller.id, `Hooli ${tag}`);
    const percent = await customer(reseller.id, `100% ${tag}`);
    await customer(reseller.id, `1000 ${tag}`);
    const names = async (prefix: string) => (await store().customers.listCustomerAccounts(reseller.id, { namePrefix: prefix, limit: 10 })).map((row) => row.account.id);
    assert.deepEqual(await names("glo"), [globex.id]);
    assert.deepEqual(await names("GLOBEX"), [globex.id]);
    assert.deepEqual(await names("100%"), [percent.id], "% is not a wildcard");
    assert.deepEqual(await names("1_0"), [], "_ is not a wildcard");
    assert.deepEqual(await names("lobex"), [], "a prefix, not a substring");
  });

  it("lists an account's users by email with their active method types only", async () => {
    const account = await context.account("customer");
    const tag = randomUUID().slice(0, 8);
    const bob = await user(account.id, `bob-${tag}@example.test`);
    const ann = await user(account.id, `ann-${tag}@example.test`);
    await store().methods.insertMethod(context.method(bob.id, { type: "totp" }));
    await store().methods.insertMethod(context.method(bob.id, { type: "sms", status: "pending" }));
    const rows = await store().customers.listAccountUsersWithMethods(account.id);
    assert.deepEqual(
      rows.map((row) => [row.user.id, row.activeMethodTypes]),
      [
        [ann.id, []],
        [bob.id, ["totp"]],
      ],
    );
    assert.deepEqual(await store().customers.listAccountUsersWithMethods(randomUUID()), []);
  });
}
