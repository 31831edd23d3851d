/**
 * How an app's sign-in uses the browser's twostep session, as a table (pure):
 * finish with the session, a (fresh) login, or an error for the app; never a
 * weaker token than asked for. And the amr/acr each login factor yields.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideInteraction, type InteractionFacts } from "../../src/services/apps/interaction-decision.js";
import { loginStrength, requestedAcrLevel } from "../../src/services/apps/login-strength.js";

const startedAt = 1_795_000_000_000;
const before = startedAt - 60_000;
const after = startedAt + 5_000;
const base: InteractionFacts = {
  now: startedAt + 10_000,
  startedAt,
  reasons: ["no_session"],
  app: { requireTwoFactor: false, rememberBrowser: false },
  session: null,
  user: null,
};
const totpUser = { hasTwoFactor: true, hasSecurityKey: false };
const keyUser = { hasTwoFactor: true, hasSecurityKey: true };
const plainUser = { hasTwoFactor: false, hasSecurityKey: false };
const session = (factor: string, createdAt = before) => ({ userId: "u1", createdAt, factor });

describe("loginStrength", () => {
  const table: [string, string[], string][] = [
    ["password", ["pwd"], "urn:twostep:acr:1fa"],
    ["password_reset", ["pwd"], "urn:twostep:acr:1fa"],
    ["remembered_browser", ["pwd"], "urn:twostep:acr:1fa"],
    ["totp", ["pwd", "otp", "mfa"], "urn:twostep:acr:2fa"],
    ["sms", ["pwd", "sms", "mfa"], "urn:twostep:acr:2fa"],
    ["recovery_code", ["pwd", "recovery_code", "mfa"], "urn:twostep:acr:2fa"],
    ["webauthn", ["pwd", "hwk", "mfa"], "phr"],
    ["enrolment:totp", ["pwd", "otp", "mfa"], "urn:twostep:acr:2fa"],
    ["enrolment:webauthn", ["pwd", "hwk", "mfa"], "phr"],
  ];
  for (const [factor, amr, acr] of table) {
    it(`${factor} → amr ${amr.join(",")}, acr ${acr}`, () => assert.deepEqual(loginStrength(factor), { amr, acr }));
  }
  it("reads acr_values as the weakest level it accepts; none known is null", () => {
    assert.equal(requestedAcrLevel(undefined), 0);
    assert.equal(requestedAcrLevel("phr urn:twostep:acr:2fa"), 2);
    assert.equal(requestedAcrLevel("phr"), 3);
    assert.equal(requestedAcrLevel("urn:example:gold"), null);
  });
});

describe("decideInteraction", () => {
  const table: { name: string; facts: Partial<InteractionFacts>; expect: string }[] = [
    { name: "no twostep session: log in", facts: {}, expect: "login" },
    { name: "a 2FA session: finish", facts: { session: session("totp"), user: totpUser }, expect: "finish urn:twostep:acr:2fa" },
    { name: "prompt=login with an older session: fresh login", facts: { reasons: ["login_prompt"], session: session("totp"), user: totpUser }, expect: "login fresh" },
    { name: "prompt=login after a login made during this sign-in: finish", facts: { reasons: ["login_prompt"], session: session("totp", after), user: totpUser }, expect: "finish urn:twostep:acr:2fa" },
    { name: "max_age exceeded by the twostep session: fresh login", facts: { maxAgeSeconds: 30, session: session("totp"), user: totpUser }, expect: "login fresh" },
    { name: "max_age met: finish", facts: { maxAgeSeconds: 120, session: session("totp"), user: totpUser }, expect: "finish urn:twostep:acr:2fa" },
    { name: "acr_values always asks for a fresh login", facts: { acrValues: "urn:twostep:acr:1fa", session: session("totp"), user: totpUser }, expect: "login fresh" },
    { name: "acr_values 2fa met by a fresh TOTP login", facts: { acrValues: "urn:twostep:acr:2fa", session: session("totp", after), user: totpUser }, expect: "finish urn:twostep:acr:2fa" },
    { name: "acr_values phr, fresh login with TOTP: error, never a downgrade", facts: { acrValues: "phr", session: session("totp", after), user: keyUser }, expect: "error" },
    { name: "acr_values phr, a user without a key: error at once", facts: { acrValues: "phr", session: session("totp"), user: totpUser }, expect: "error" },
    { name: "acr_values phr, the login found no key after the password (no session): error", facts: { acrValues: "phr", session: null, user: null, unmetAtLogin: "a security key or passkey is needed, and this user has none" }, expect: "error" },
    { name: "acr_values phr met by a fresh key login", facts: { acrValues: "phr", session: session("webauthn", after), user: keyUser }, expect: "finish phr" },
    { name: "acr_values twostep does not offer: error", facts: { acrValues: "urn:example:gold", session: session("totp"), user: totpUser }, expect: "error" },
    { name: "app requires 2FA, password-only session: fresh login", facts: { app: { requireTwoFactor: true, rememberBrowser: false }, session: session("password"), user: plainUser }, expect: "login fresh" },
    { name: "app requires 2FA, fresh login after enrolment: finish", facts: { app: { requireTwoFactor: true, rememberBrowser: false }, session: session("enrolment:totp", after), user: totpUser }, expect: "finish urn:twostep:acr:2fa" },
    { name: "app requires 2FA, fresh password-only login: error", facts: { app: { requireTwoFactor: true, rememberBrowser: false }, session: session("password", after), user: plainUser }, expect: "error" },
    { name: "app requires 2FA, remembered browser, app does not allow it: fresh login", facts: { app: { requireTwoFactor: true, rememberBrowser: false }, session: session("remembered_browser"), user: totpUser }, expect: "login fresh" },
    { name: "app requires 2FA and honours remembered browsers: finish, claiming the password only", facts: { app: { requireTwoFactor: true, rememberBrowser: true }, session: session("remembered_browser"), user: totpUser }, expect: "finish urn:twostep:acr:1fa" },
  ];
  for (const row of table) {
    it(row.name, () => {
      const decision = decideInteraction({ ...base, ...row.facts });
      const got = decision.kind === "login" ? `login${decision.fresh ? " fresh" : ""}` : decision.kind === "finish" ? `finish ${decision.acr}` : "error";
      assert.equal(got, row.expect);
      if (decision.kind === "error") assert.equal(decision.error, "unmet_authentication_requirements");
    });
  }
});
