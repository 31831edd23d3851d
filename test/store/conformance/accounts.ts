/** Store conformance: accounts, users and policy layers. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now } from "./fixtures.js";

export function accountsConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("stores and finds accounts and users; emails are unique", async () => {
    const created = await context.user();
    assert.deepEqual(await store().accounts.findUserById(created.id), created);
    assert.deepEqual(await store().accounts.findUserByEmail(created.email), created);
    assert.equal(await store().accounts.findUserByEmail("nobody@example.test"), undefined);
    await assert.rejects(store().accounts.insertUser({ ...created, id: randomUUID() }));
    const found = await store().accounts.findAccountById(created.accountId);
    assert.equal(found?.id, created.accountId);
    assert.equal((await store().accounts.findAccountByName(found!.name))?.id, found!.id);
    await store().accounts.updatePasswordHash(created.id, "$argon2id$new");
    assert.equal((await store().accounts.findUserById(created.id))?.passwordHash, "$argon2id$new");
  });

  it("finds an account with its parent's and grandparent's ids in one read", async () => {
    const platform = await context.account("platform");
    const reseller = await context.account("reseller", platform.id);
    const customer = await context.account("customer", reseller.id);
    assert.deepEqual(await store().accounts.findAccountLineage(customer.id), { account: await store().accounts.findAccountById(customer.id), parentId: reseller.id, grandparentId: platform.id });
    assert.deepEqual(await store().accounts.findAccountLineage(reseller.id), { account: await store().accounts.findAccountById(reseller.id), parentId: platform.id, grandparentId: null });
    assert.deepEqual(await store().accounts.findAccountLineage(platform.id), { account: await store().accounts.findAccountById(platform.id), parentId: null, grandparentId: null });
    assert.equal(await store().accounts.findAccountLineage(randomUUID()), undefined);
  });

  it("returns policy layers in the order asked, skipping missing ones", async () => {
    const platform = await context.account("platform");
    const reseller = await context.account("reseller", platform.id);
    await store().accounts.savePolicyLayer(reseller.id, "own_users", { requireTwoFactorFrom: 5, allowedMethods: ["totp"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: true, rememberBrowserDays: 7, newSignInEmail: null }, now);
    await store().accounts.savePolicyLayer(platform.id, "reseller_users", { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "keep", rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null }, now);
    await store().accounts.savePolicyLayer(platform.id, "reseller_users", { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "disable", rotatePasswordOnDisable: false, rememberBrowserDays: 0, newSignInEmail: null }, now);
    const layers = await store().accounts.findPolicyLayers([
      { accountId: platform.id, audience: "reseller_users" },
      { accountId: platform.id, audience: "customer_users" },
      { accountId: reseller.id, audience: "own_users" },
    ]);
    assert.deepEqual(layers, [
      { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: "disable", rotatePasswordOnDisable: false, rememberBrowserDays: 0, newSignInEmail: null },
      { requireTwoFactorFrom: 5, allowedMethods: ["totp"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: true, rememberBrowserDays: 7, newSignInEmail: null },
    ]);
    // One, two and more than three keys (the statement built once per count up to three, per call beyond).
    assert.deepEqual(await store().accounts.findPolicyLayers([{ accountId: reseller.id, audience: "own_users" }]), layers.slice(1));
    assert.deepEqual(await store().accounts.findPolicyLayers([{ accountId: reseller.id, audience: "own_users" }, { accountId: platform.id, audience: "reseller_users" }]), [layers[1], layers[0]]);
    const four = [{ accountId: platform.id, audience: "own_users" as const }, { accountId: platform.id, audience: "reseller_users" as const }, { accountId: reseller.id, audience: "customer_users" as const }, { accountId: reseller.id, audience: "own_users" as const }];
    assert.deepEqual(await store().accounts.findPolicyLayers(four), layers);
  });
}
