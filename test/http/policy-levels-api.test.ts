/**
 * Issue 8, item 6 in the API: an admin sets the whole policy layer of a level
 * (required-from, allowed methods, recovery-code behaviour, new password on
 * disable), each field inheriting when null, and sees what the levels above
 * set and the effective result. Changing it needs own 2FA and a fresh factor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { apiLoginWithCode, enrolTotp } from "../helpers/enrol.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const url = "/api/admin/two-factor-policy";

describe("API: the whole policy layer per level", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  const put = (json: unknown, token: string) => api.request("PUT", url, { json, token });
  async function resellerAdmin() {
    const enrolled = await enrolTotp(t.deps, { kind: "reseller", role: "admin" });
    t.clock.advance(30);
    return { ...enrolled, token: await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, codeFor(enrolled.keyBase32, t.clock.now()), api.clientAddress) };
  }

  it("a reseller admin sees the platform's values for customers, sets TOTP-only and a date, and the effective policy follows", async () => {
    const { user, token } = await resellerAdmin();
    const reseller = (await t.deps.store.accounts.findAccountById(user.accountId))!;
    await t.deps.store.accounts.savePolicyLayer(
      reseller.parentId!,
      "customer_users",
      { requireTwoFactorFrom: Date.UTC(2027, 5, 1), allowedMethods: ["totp", "sms"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null },
      t.clock.now(),
    );
    let response = await api.get(url, token);
    assert.equal(response.status, 200, response.raw.body);
    let customers = response.body.levels[1];
    assert.equal(customers.audience, "customer_users");
    assert.deepEqual(customers.above, [
      {
        account: { name: `platform ${/\d+/.exec(reseller.name)![0]}`, kind: "platform" },
        audience: "customer_users",
        requireTwoFactorFrom: "2027-06-01",
        allowedMethods: ["totp", "sms"],
        recoveryCodePolicy: "disable",
        rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null,
      },
    ]);
    assert.deepEqual(customers.inherited, { requireTwoFactorFrom: "2027-06-01", allowedMethods: ["totp", "sms"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: false, rememberBrowserDays: 30, newSignInEmail: true });
    assert.equal(customers.allowedMethods, null, "nothing of its own yet: it inherits");
    assert.deepEqual(response.body.levels[0].above.map((level: { audience: string }) => level.audience), ["reseller_users"]);

    response = await put({ audience: "customer_users", requireTwoFactorFrom: "2027-01-15", allowedMethods: ["totp"], recoveryCodePolicy: "keep", rotatePasswordOnDisable: true, rememberBrowserDays: 7, newSignInEmail: false }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body.changedFields, ["requireTwoFactorFrom", "allowedMethods", "recoveryCodePolicy", "rotatePasswordOnDisable", "rememberBrowserDays", "newSignInEmail"]);
    customers = response.body.levels[1];
    assert.deepEqual(customers.effective, { requireTwoFactorFrom: "2027-01-15", allowedMethods: ["totp"], recoveryCodePolicy: "keep", rotatePasswordOnDisable: true, rememberBrowserDays: 7, newSignInEmail: false });
    const [event] = (await t.deps.store.events.listEvents({ accountId: user.accountId, limit: 20 })).filter((candidate) => candidate.type === "policy.changed");
    assert.equal(event?.actorUserId, user.id);
    assert.equal(event?.detail.changed, "requireTwoFactorFrom,allowedMethods,recoveryCodePolicy,rotatePasswordOnDisable,rememberBrowserDays,newSignInEmail");

    // Back to inheriting the methods: only that field changes; the earlier platform date still wins over none.
    response = await put({ audience: "customer_users", allowedMethods: null, requireTwoFactorFrom: null }, token);
    assert.deepEqual(response.body.changedFields, ["requireTwoFactorFrom", "allowedMethods"]);
    assert.deepEqual(response.body.levels[1].effective, { requireTwoFactorFrom: "2027-06-01", allowedMethods: ["totp", "sms"], recoveryCodePolicy: "keep", rotatePasswordOnDisable: true, rememberBrowserDays: 7, newSignInEmail: false });
  });

  it("an admin without 2FA, or with a stale second factor, changes nothing", async () => {
    const plain = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const plainToken = await api.sessionFor(plain.user.email, plain.password);
    assert.equal((await api.get(url, plainToken)).status, 200, "reading is fine");
    const stale = await resellerAdmin();
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);
    await assertChangesNothing(t, async () => {
      assertApiError(await put({ audience: "own_users", allowedMethods: ["totp"] }, plainToken), 403, "own_two_factor_required");
      assertApiError(await put({ audience: "own_users", allowedMethods: ["totp"] }, stale.token), 403, "step_up_required");
    });
  });
});
