/**
 * P1 in the JSON API: admins read and set their own level's 2FA requirement
 * (the same service and rules as the page /settings/two-factor-policy);
 * members and other levels get 403, bad input 400 naming the field, and
 * neither changes a single row.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { apiLoginWithCode, enrolTotp } from "../helpers/enrol.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const url = "/api/admin/two-factor-policy";

describe("API: the two-factor requirement admins set", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  const put = (json: unknown, token?: string) => api.request("PUT", url, { json, ...(token ? { token } : {}) });
  const layerDate = async (accountId: string, audience: "own_users" | "reseller_users" | "customer_users") =>
    (await t.deps.store.accounts.findPolicyLayers([{ accountId, audience }]))[0]?.requireTwoFactorFrom ?? null;

  /** Admins change policy for others: they have 2FA on and log in with a code (a fresh second factor). */
  async function admin(kind: "platform" | "reseller" | "customer", role: "admin" | "support" | "member" = "admin") {
    if (role === "member") {
      const seeded = await seedUser(t.deps, { kind, role });
      return { ...seeded, token: await api.sessionFor(seeded.user.email, seeded.password) };
    }
    const enrolled = await enrolTotp(t.deps, { kind, role });
    t.clock.advance(30);
    return { ...enrolled, token: await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, codeFor(enrolled.keyBase32, t.clock.now()), api.clientAddress) };
  }
  const dates = (levels: { audience: string; requireTwoFactorFrom: string | null }[]) => levels.map(({ audience, requireTwoFactorFrom }) => ({ audience, requireTwoFactorFrom }));

  it("a reseller admin reads its two levels, sets its customers' date, sets it again (no change), removes it", async () => {
    const { user, token } = await admin("reseller");
    let response = await api.get(url, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.account.id, user.accountId);
    assert.deepEqual(dates(response.body.levels), [
      { audience: "own_users", requireTwoFactorFrom: null },
      { audience: "customer_users", requireTwoFactorFrom: null },
    ]);

    response = await put({ audience: "customer_users", requireTwoFactorFrom: "2026-11-21" }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.changed, true);
    assert.deepEqual(dates(response.body.levels), [
      { audience: "own_users", requireTwoFactorFrom: null },
      { audience: "customer_users", requireTwoFactorFrom: "2026-11-21" },
    ]);
    assert.equal(await layerDate(user.accountId, "customer_users"), Date.UTC(2026, 10, 21));
    assert.equal(await layerDate(user.accountId, "own_users"), null, "the other level is untouched");
    const events = await t.deps.store.events.listEvents({ accountId: user.accountId, limit: 20 });
    assert.ok(events.some((event) => event.type === "policy.changed" && event.actorUserId === user.id && event.detail.audience === "customer_users"));
    assert.deepEqual(dates((await api.get(url, token)).body.levels)[1], { audience: "customer_users", requireTwoFactorFrom: "2026-11-21" });

    // The same date again writes nothing (not even an event).
    await assertChangesNothing(t, async () => {
      const again = await put({ audience: "customer_users", requireTwoFactorFrom: "2026-11-21" }, token);
      assert.equal(again.status, 200);
      assert.equal(again.body.changed, false);
    });

    response = await put({ audience: "customer_users", requireTwoFactorFrom: null }, token);
    assert.equal(response.status, 200);
    assert.equal(response.body.changed, true);
    assert.equal(await layerDate(user.accountId, "customer_users"), null);
  });

  it("platform support sees and sets the three platform levels", async () => {
    const { user, token } = await admin("platform", "support");
    const response = await api.get(url, token);
    assert.deepEqual(
      response.body.levels.map((level: { audience: string }) => level.audience),
      ["own_users", "reseller_users", "customer_users"],
    );
    const set = await put({ audience: "reseller_users", requireTwoFactorFrom: "2027-01-05" }, token);
    assert.equal(set.status, 200, set.raw.body);
    assert.equal(await layerDate(user.accountId, "reseller_users"), Date.UTC(2027, 0, 5));
  });

  it("members, other levels and no session are refused, and nothing changes", async () => {
    const member = await admin("reseller", "member");
    // A member is not in the access table for policy: 403, and the only row written is the access.denied event.
    assertApiError(await api.get(url, member.token), 403, "forbidden");
    assertApiError(await put({ audience: "own_users", requireTwoFactorFrom: "2020-01-01" }, member.token), 403, "forbidden");
    assert.equal(await layerDate(member.user.accountId, "own_users"), null);
    const denied = await t.deps.store.events.listEvents({ accountId: member.user.accountId, limit: 20 });
    assert.equal(denied.filter((event) => event.type === "access.denied" && event.detail.action === "policy.manage").length, 2);

    // A reseller admin may not set the platform's level for resellers' users …
    const resellerAdmin = await admin("reseller");
    const other = await admin("reseller");
    await put({ audience: "own_users", requireTwoFactorFrom: "2026-12-01" }, other.token);
    await assertChangesNothing(t, async () => {
      assertApiError(await put({ audience: "reseller_users", requireTwoFactorFrom: "2020-01-01" }, resellerAdmin.token), 403, "forbidden");
      // … nor name another account: the level is always the caller's own.
      assertApiError(await put({ audience: "own_users", requireTwoFactorFrom: "2020-01-01", accountId: other.user.accountId }, resellerAdmin.token), 400, "unknown_field", "accountId");
    });
    const set = await put({ audience: "own_users", requireTwoFactorFrom: "2020-01-01" }, resellerAdmin.token);
    assert.equal(set.status, 200);
    assert.equal(await layerDate(resellerAdmin.user.accountId, "own_users"), Date.UTC(2020, 0, 1));
    assert.equal(await layerDate(other.user.accountId, "own_users"), Date.UTC(2026, 11, 1), "the other reseller's date is its own");

    // A customer account's admin sets only its own users.
    const customerAdmin = await admin("customer");
    await assertChangesNothing(t, async () => {
      assertApiError(await put({ audience: "customer_users", requireTwoFactorFrom: "2020-01-01" }, customerAdmin.token), 403, "forbidden");
      assertApiError(await api.get(url), 401, "not_authenticated");
      assertApiError(await put({ audience: "own_users", requireTwoFactorFrom: "2020-01-01" }), 401, "not_authenticated");
    });
  });

  it("bad input is a 400 naming the field and changes nothing", async () => {
    const { user, token } = await admin("reseller");
    await put({ audience: "own_users", requireTwoFactorFrom: "2026-12-24" }, token);
    const cases: [unknown, string, string][] = [
      [{ audience: "own_users", requireTwoFactorFrom: "2026-02-30" }, "invalid_date", "requireTwoFactorFrom"],
      [{ audience: "own_users", requireTwoFactorFrom: "next tuesday" }, "invalid_date", "requireTwoFactorFrom"],
      [{ audience: "own_users", requireTwoFactorFrom: "2026-12-24T00:00:00Z" }, "invalid_date", "requireTwoFactorFrom"],
      [{ audience: "own_users", requireTwoFactorFrom: "x".repeat(33) }, "invalid_request", "requireTwoFactorFrom"],
      [{ audience: "own_users", requireTwoFactorFrom: 20261224 }, "invalid_request", "requireTwoFactorFrom"],
      [{ audience: "everyone", requireTwoFactorFrom: "2026-12-25" }, "invalid_request", "audience"],
      [{ audience: "own_users", rememberBrowserDays: 366 }, "invalid_request", "rememberBrowserDays"],
      [{ audience: "own_users", rememberBrowserDays: 2.5 }, "invalid_request", "rememberBrowserDays"],
      [{ audience: "own_users", rememberBrowserDays: "30" }, "invalid_request", "rememberBrowserDays"],
      [{ requireTwoFactorFrom: "2026-12-25" }, "invalid_request", "audience"],
      [{ audience: "own_users", requireTwoFactorFrom: "2026-12-25", allowedMethods: ["sms"] }, "sms_only_not_allowed", "allowedMethods"],
      [{ audience: "own_users", allowedMethods: [] }, "invalid_policy_methods", "allowedMethods"],
      [{ audience: "own_users", allowedMethods: ["totp", "email"] }, "invalid_policy_methods", "allowedMethods"],
      [{ audience: "own_users", recoveryCodePolicy: "sometimes" }, "invalid_request", "recoveryCodePolicy"],
      [{ audience: "own_users", rotatePasswordOnDisable: "yes" }, "invalid_request", "rotatePasswordOnDisable"],
      [{ audience: "own_users", allowedOrigins: ["x"] }, "unknown_field", "allowedOrigins"],
    ];
    for (const [body, code, field] of cases) {
      await assertChangesNothing(t, async () => assertApiError(await put(body, token), 400, code, field));
    }
    await assertChangesNothing(t, async () => {
      assertApiError(await api.request("PUT", url, { payload: "own_users=2026-12-25", contentType: "application/x-www-form-urlencoded", token }), 415, "unsupported_media_type");
      assertApiError(await api.request("PUT", url, { payload: "{", contentType: "application/json", token }), 400, "invalid_request");
    });
    assert.equal(await layerDate(user.accountId, "own_users"), Date.UTC(2026, 11, 24), "still the date set before");
  });
});
