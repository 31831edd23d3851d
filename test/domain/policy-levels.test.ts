/** Issue 8, item 6: what a policy level inherits, and how an admin's input applies to it (SECURITY 27). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyPolicyLayer } from "../../src/domain/policy.js";
import { applyLevelInput, changedFields, coveredKind, parseRequirementDate, policyLevelsAbove } from "../../src/domain/policy-levels.js";

const platform = { id: "p", kind: "platform" as const };
const reseller = { id: "r", kind: "reseller" as const };
const customer = { id: "c", kind: "customer" as const };

describe("policy levels", () => {
  it("levels above: none for the platform's, the platform's for a reseller's, platform then reseller for a customer's", () => {
    for (const audience of ["own_users", "reseller_users", "customer_users"] as const) assert.deepEqual(policyLevelsAbove(platform, null, null, audience), []);
    assert.deepEqual(policyLevelsAbove(reseller, platform, null, "own_users"), [{ accountId: "p", audience: "reseller_users" }]);
    assert.deepEqual(policyLevelsAbove(reseller, platform, null, "customer_users"), [{ accountId: "p", audience: "customer_users" }]);
    assert.deepEqual(policyLevelsAbove(customer, reseller, platform, "own_users"), [
      { accountId: "p", audience: "customer_users" },
      { accountId: "r", audience: "customer_users" },
    ]);
  });

  it("covered kind: a reseller's customers are customers (M5 defaults)", () => {
    assert.equal(coveredKind("reseller", "customer_users"), "customer");
    assert.equal(coveredKind("platform", "reseller_users"), "reseller");
    assert.equal(coveredKind("reseller", "own_users"), "reseller");
  });

  it("dates: YYYY-MM-DD at 00:00 UTC, empty inherits, anything else is refused", () => {
    assert.equal(parseRequirementDate("2026-11-21"), Date.UTC(2026, 10, 21));
    assert.equal(parseRequirementDate(" "), "none");
    for (const bad of ["2026-02-30", "21.11.2026", "2026-11-21T00:00:00Z"]) assert.equal(parseRequirementDate(bad), null);
  });

  it("input: fields not sent keep their value, null inherits, methods are normalised", () => {
    const current = { ...emptyPolicyLayer, recoveryCodePolicy: "disable" as const };
    const applied = applyLevelInput(current, { allowedMethods: ["sms", "totp", "sms"], requireTwoFactorFrom: "2027-01-15" });
    assert.deepEqual(applied, { ok: true, layer: { requireTwoFactorFrom: Date.UTC(2027, 0, 15), allowedMethods: ["totp", "sms"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null } });
    assert.ok(applied.ok);
    assert.deepEqual(changedFields(current, applied.layer), ["requireTwoFactorFrom", "allowedMethods"]);
    const back = applyLevelInput(applied.layer, { recoveryCodePolicy: null, rotatePasswordOnDisable: true, rememberBrowserDays: 0, newSignInEmail: false });
    assert.ok(back.ok);
    assert.deepEqual(changedFields(applied.layer, back.layer), ["recoveryCodePolicy", "rotatePasswordOnDisable", "rememberBrowserDays", "newSignInEmail"]);
    assert.equal(back.layer.newSignInEmail, false, "false is a value of its own (no email), not inherit");
    assert.equal(back.layer.rememberBrowserDays, 0, "0 is a value of its own (never offered), not inherit");
  });

  it("input: SMS alone, no method, an unknown method or recovery choice, a bad date name their field", () => {
    for (const days of [-1, 1.5, 366, Number.NaN]) {
      assert.deepEqual(applyLevelInput(emptyPolicyLayer, { rememberBrowserDays: days }), { ok: false, field: "rememberBrowserDays", code: "invalid_request" }, String(days));
    }
    assert.deepEqual(applyLevelInput(emptyPolicyLayer, { allowedMethods: ["sms"] }), { ok: false, field: "allowedMethods", code: "sms_only_not_allowed" });
    assert.deepEqual(applyLevelInput(emptyPolicyLayer, { allowedMethods: [] }), { ok: false, field: "allowedMethods", code: "invalid_policy_methods" });
    assert.deepEqual(applyLevelInput(emptyPolicyLayer, { allowedMethods: ["email"] }), { ok: false, field: "allowedMethods", code: "invalid_policy_methods" });
    assert.deepEqual(applyLevelInput(emptyPolicyLayer, { recoveryCodePolicy: "later" }), { ok: false, field: "recoveryCodePolicy", code: "invalid_request" });
    assert.deepEqual(applyLevelInput(emptyPolicyLayer, { requireTwoFactorFrom: "soon" }), { ok: false, field: "requireTwoFactorFrom", code: "invalid_date" });
  });
});
