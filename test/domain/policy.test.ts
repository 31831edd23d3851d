/** P1, P2, M5, R5, D1: layered policy resolution. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyPolicyLayer, resolvePolicy } from "../../src/domain/policy.js";

describe("policy", () => {
  it("defaults: customers TOTP and security keys, resellers TOTP, SMS and security keys, keep, no rotation", () => {
    assert.deepEqual(resolvePolicy("customer", []).allowedMethods, ["totp", "webauthn"]);
    assert.deepEqual(resolvePolicy("reseller", []).allowedMethods, ["totp", "sms", "webauthn"]);
    assert.equal(resolvePolicy("reseller", []).recoveryCodePolicy, "keep");
    assert.equal(resolvePolicy("reseller", []).rotatePasswordOnDisable, false);
  });

  it("L7 defaults: customers may be remembered for 30 days, reseller and platform users never; a layer's 0 turns it off", () => {
    assert.equal(resolvePolicy("customer", []).rememberBrowserDays, 30);
    assert.equal(resolvePolicy("reseller", []).rememberBrowserDays, 0);
    assert.equal(resolvePolicy("platform", []).rememberBrowserDays, 0);
    assert.equal(resolvePolicy("customer", [{ ...emptyPolicyLayer, rememberBrowserDays: 7 }, { ...emptyPolicyLayer, rememberBrowserDays: 0 }]).rememberBrowserDays, 0);
    assert.equal(resolvePolicy("reseller", [{ ...emptyPolicyLayer, rememberBrowserDays: 14 }, emptyPolicyLayer]).rememberBrowserDays, 14, "null inherits");
  });

  it("the most specific layer wins for settings", () => {
    const policy = resolvePolicy("reseller", [
      { ...emptyPolicyLayer, recoveryCodePolicy: "disable", rotatePasswordOnDisable: true },
      { ...emptyPolicyLayer, recoveryCodePolicy: "keep" },
    ]);
    assert.equal(policy.recoveryCodePolicy, "keep");
    assert.equal(policy.rotatePasswordOnDisable, true);
  });

  it("any layer requiring 2FA requires it, from the earliest date", () => {
    const policy = resolvePolicy("customer", [
      { ...emptyPolicyLayer, requireTwoFactorFrom: 2000 },
      emptyPolicyLayer,
      { ...emptyPolicyLayer, requireTwoFactorFrom: 1000 },
    ]);
    assert.equal(policy.requireTwoFactorFrom, 1000);
  });
});
