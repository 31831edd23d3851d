/**
 * Threat: a trusted browser outliving the policy that allowed it. An admin
 * turns "Remember this browser" off (or shortens it) because of an incident;
 * browsers remembered before must ask for the second step at their next
 * login, not keep skipping it until their cookie expires (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { loginStatusWith, rememberThroughApi } from "../helpers/trusted-browser.js";

describe("security: a trusted browser after the policy turned it off", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const setDays = async (accountId: string, days: number | null) =>
    t.deps.store.accounts.savePolicyLayer(accountId, "own_users", { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: days, newSignInEmail: null }, t.clock.now());

  it("off: the next login asks for the second step; back on: it skips again while the row lives", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { token } = await rememberThroughApi(t.app, enrolled, t.clock);
    await setDays(enrolled.user.accountId, 0);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "second_factor_required");
    await setDays(enrolled.user.accountId, null);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "authenticated");
  });

  it("shortened below the browser's age: the second step again", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { token } = await rememberThroughApi(t.app, enrolled, t.clock);
    t.clock.advance(3 * 86_400);
    await setDays(enrolled.user.accountId, 2);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "second_factor_required");
  });
});
