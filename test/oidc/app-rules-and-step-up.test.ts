/**
 * The per-app 2FA rule and acr_values through twostep's own pages: a
 * `--require-two-factor` app takes a user without 2FA through enrolment and
 * back; acr_values asks for a fresh login and never gets a weaker token (an
 * unmeetable level is `error=unmet_authentication_requirements` for the app);
 * logging out of twostep ends single sign-on for every app.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";
import { enrolSms, gbMobile, textsDuring } from "../helpers/sms.js";

describe("per-app 2FA rule and acr_values", () => {
  let server: OidcServer;
  let totpUser: EnrolledUser;
  let strict: client.Configuration;
  let relaxed: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    server = await startOidcServer();
    totpUser = await enrolTotp(server.runtime.deps);
    strict = await relyingParty(server, await registerApp(server, { name: "Classic Reseller Interface", redirectUris: [redirectUri], requireTwoFactor: true }));
    relaxed = await relyingParty(server, await registerApp(server, { name: "Storefront", redirectUris: [redirectUri] }));
  });
  after(() => server.close());

  it("signs a user without 2FA into an ordinary app with the password alone, saying so", async () => {
    const plain = await seedUser(server.runtime.deps);
    const request = await authorizationRequest(relaxed, redirectUri);
    const callback = await signInWithTotp(server, new Browser(server.issuer), request, { email: plain.user.email, password: plain.password });
    const claims = (await exchange(relaxed, callback, request)).claims()!;
    assert.deepEqual(claims.amr, ["pwd"]);
    assert.equal(claims.acr, "urn:twostep:acr:1fa");
  });

  it("takes a user without 2FA through enrolment for a --require-two-factor app, then back with pwd, otp, mfa", async () => {
    const plain = await seedUser(server.runtime.deps);
    const browser = new Browser(server.issuer);
    const request = await authorizationRequest(strict, redirectUri);
    await browser.follow(request.url.href);
    const enrol = await browser.submit("/login", { email: plain.user.email, password: plain.password });
    assert.match(enrol, /\/login\/enrol$/, "the app's rule asks for enrolment although no policy does");
    assert.match(browser.lastPage, /<strong>Classic Reseller Interface requires two-factor authentication\.<\/strong>/, "the page names the app, not a policy of the account");
    const scan = await browser.submit("/login/enrol/totp", {});
    const key = keyFromSetupPage(browser.lastPage);
    const methodPath = new URL(scan).pathname;
    await browser.submit(methodPath, { code: codeFor(key, server.clock.now()) });
    const callback = await browser.submit("/login/enrol/continue", {});
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    const claims = (await exchange(strict, callback, request)).claims()!;
    assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
    assert.equal(claims.acr, "urn:twostep:acr:2fa");
  });

  it("makes a password-only single sign-on log in again for a --require-two-factor app", async () => {
    const plain = await seedUser(server.runtime.deps);
    const browser = new Browser(server.issuer);
    const first = await authorizationRequest(relaxed, redirectUri);
    await exchange(relaxed, await signInWithTotp(server, browser, first, { email: plain.user.email, password: plain.password }), first);
    const second = await authorizationRequest(strict, redirectUri);
    const at = await browser.follow(second.url.href);
    assert.match(at, /\/login\?return_to=.*&prompt=login/, "no token from the password-only session");
  });

  it("asks for a fresh login on acr_values and issues the two-factor acr", async () => {
    const browser = new Browser(server.issuer);
    const login = { email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 };
    const first = await authorizationRequest(relaxed, redirectUri);
    await exchange(relaxed, await signInWithTotp(server, browser, first, login), first);
    const stepUp = await authorizationRequest(relaxed, redirectUri, { acr_values: "urn:twostep:acr:2fa" });
    assert.match(await browser.follow(stepUp.url.href), /prompt=login/);
    assert.match(browser.lastPage, /name="password"/);
    const callback = await signInWithTotp(server, browser, stepUp, login);
    const claims = (await exchange(relaxed, callback, stepUp)).claims()!;
    assert.equal(claims.acr, "urn:twostep:acr:2fa");
  });

  it("answers acr_values phr for a user without a security key with error=unmet_authentication_requirements right after the password: no second step, no text, no session", async () => {
    const smsUser = await enrolSms(server.runtime.deps, { phone: gbMobile(7) });
    for (const user of [{ email: totpUser.user.email, password: totpUser.password }, { email: smsUser.user.email, password: smsUser.password }]) {
      const request = await authorizationRequest(relaxed, redirectUri, { acr_values: "phr" });
      const browser = new Browser(server.issuer);
      assert.match(await browser.follow(request.url.href), /\/login\?/);
      const { result: callback, texts } = await textsDuring(server.runtime.deps, () => browser.submit("/login", user));
      const answer = new URL(callback);
      assert.equal(`${answer.origin}${answer.pathname}`, redirectUri, "straight back to the app from the password step");
      assert.equal(answer.searchParams.get("error"), "unmet_authentication_requirements");
      assert.match(answer.searchParams.get("error_description") ?? "", /security key or passkey/);
      assert.equal(answer.searchParams.get("code"), null);
      assert.equal(answer.searchParams.get("state"), request.state);
      assert.deepEqual(texts, [], "no code texted for a second step that could not satisfy the app");
      assert.match(await browser.follow("/settings/security"), /\/login$/, "no twostep session either");
    }
  });

  it("answers acr_values phr with the same error when the user is already signed in with an app code", async () => {
    const browser = new Browser(server.issuer);
    const login = { email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 };
    const ordinary = await authorizationRequest(relaxed, redirectUri);
    await exchange(relaxed, await signInWithTotp(server, browser, ordinary, login), ordinary);
    const request = await authorizationRequest(relaxed, redirectUri, { acr_values: "phr" });
    const answer = new URL(await browser.follow(request.url.href));
    assert.equal(answer.searchParams.get("error"), "unmet_authentication_requirements");
    assert.equal(answer.searchParams.get("code"), null);
  });

  it("a wrong password for a phr request is a wrong password, as for any login (nothing said about keys)", async () => {
    const request = await authorizationRequest(relaxed, redirectUri, { acr_values: "phr" });
    const browser = new Browser(server.issuer);
    await browser.follow(request.url.href);
    const at = await browser.submit("/login", { email: totpUser.user.email, password: "not the password" });
    assert.match(at, /\/login/);
    assert.doesNotMatch(browser.lastPage, /security key or passkey/);
  });

  it("answers an acr_values twostep does not offer with the same error", async () => {
    const request = await authorizationRequest(relaxed, redirectUri, { acr_values: "urn:example:gold" });
    const callback = await signInWithTotp(server, new Browser(server.issuer), request, { email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 });
    assert.equal(new URL(callback).searchParams.get("error"), "unmet_authentication_requirements");
  });

  it("ends single sign-on and the apps' refresh tokens when the user logs out of twostep", async () => {
    const browser = new Browser(server.issuer);
    const login = { email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 };
    const first = await authorizationRequest(relaxed, redirectUri);
    const tokens = await exchange(relaxed, await signInWithTotp(server, browser, first, login), first);
    await browser.follow("/settings/security");
    await browser.submit("/logout", {});
    await assert.rejects(client.refreshTokenGrant(relaxed, tokens.refresh_token!), "the app's refresh token ended with the session");
    const next = await authorizationRequest(relaxed, redirectUri);
    assert.match(await browser.follow(next.url.href), /\/login\?return_to=/, "the provider session does not outlive the twostep session");
  });
});
