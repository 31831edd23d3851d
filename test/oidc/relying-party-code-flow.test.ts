/**
 * A real relying party (openid-client) against twostep as its OpenID Connect
 * provider, the browser driven over HTTP with a cookie jar: discovery at the
 * issuer, code flow with PKCE, twostep's own login (password, then a TOTP
 * code), the ID token verified against the JWKS with amr pwd/otp/mfa and the
 * two-factor acr, userinfo claims, refresh rotation and reuse, revocation and
 * introspection (each only for the token's own client).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { Browser, registerApp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { codeFor } from "../helpers/totp.js";

describe("a relying party signs a TOTP user in through twostep", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let config: client.Configuration;
  let other: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";

  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps, { email: "rp-user@example.test" });
    server.clock.advance(30); // the enrolment claimed the current TOTP step
    const app = await registerApp(server, { name: "Reseller Control Panel", redirectUris: [redirectUri] });
    config = await client.discovery(new URL(server.issuer), app.clientId, undefined, client.ClientSecretBasic(app.clientSecret!), { execute: [client.allowInsecureRequests] });
    client.enableNonRepudiationChecks(config);
    const second = await registerApp(server, { name: "Storefront", redirectUris: [redirectUri] });
    other = await client.discovery(new URL(server.issuer), second.clientId, undefined, client.ClientSecretBasic(second.clientSecret!), { execute: [client.allowInsecureRequests] });
  });
  after(() => server.close());

  async function signIn(extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: "openid email profile account",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  it("publishes discovery with the issuer exactly TWOSTEP_PUBLIC_URL, code flow only, S256 and the three acr values", () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.issuer);
    assert.deepEqual(metadata.response_types_supported, ["code"]);
    assert.deepEqual(metadata.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(metadata.acr_values_supported, ["urn:twostep:acr:1fa", "urn:twostep:acr:2fa", "phr"]);
    assert.equal(metadata.token_endpoint, `${server.issuer}/oidc/token`);
    assert.ok(metadata.backchannel_logout_supported);
    assert.ok(!metadata.grant_types_supported?.includes("implicit"));
  });

  it("builds discovery's URLs from the issuer, never from the Host or X-Forwarded-* a client sends", async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`, { headers: { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" } });
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata.issuer, server.issuer);
    for (const key of ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "end_session_endpoint"]) {
      assert.ok(String(metadata[key]).startsWith(`${server.issuer}/oidc/`), `${key}: ${String(metadata[key])}`);
    }
  });

  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  const browser = () => new Browser(server.issuer);
  let signedIn: Browser;

  it("logs in with password and TOTP code and gets an ID token with amr pwd, otp, mfa, verified against the JWKS", async () => {
    signedIn = browser();
    const request = await signIn();
    const atLogin = await signedIn.follow(request.url.href);
    assert.match(atLogin, /\/login\?return_to=%2Foidc%2Finteraction%2F/);
    const atSecondStep = await signedIn.submit("/login", { email: user.user.email, password: user.password });
    assert.match(atSecondStep, /\/login\/two-factor/);
    const callback = await signedIn.submit("/login/two-factor", { code: codeFor(user.keyBase32, server.clock.now()) });
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    assert.equal(new URL(callback).searchParams.get("iss"), server.issuer, "RFC 9207 iss in the response");
    tokens = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.user.id);
    assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
    assert.equal(claims.acr, "urn:twostep:acr:2fa");
    assert.equal(typeof claims.auth_time, "number");
    assert.ok(Math.abs(claims.auth_time! * 1000 - server.clock.now()) < 10_000);
    assert.ok(tokens.refresh_token, "a refresh token without a consent screen");
  });

  it("answers userinfo with email, name, account and role", async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, user.user.id);
    assert.equal(info.email, user.user.email);
    assert.equal(info.email_verified, false);
    assert.equal(info.name, user.user.displayName);
    assert.deepEqual(Object.keys(info.account as object).sort(), ["id", "kind", "name"]);
    assert.equal((info.account as { kind: string }).kind, "reseller");
    assert.equal(info.role, user.user.role);
  });

  it("signs the same browser in again without a login (single sign-on on its twostep session)", async () => {
    const request = await signIn();
    const callback = await signedIn.follow(request.url.href);
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    const again = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    assert.deepEqual(again.claims()!.amr, ["pwd", "otp", "mfa"]);
  });

  it("writes every sign-in to the user's event log with the app's name, the single sign-on one too", async () => {
    const events = await server.runtime.deps.store.events.listEvents({ subjectUserId: user.user.id, limit: 50 });
    const signIns = events.filter((event) => event.type === "app.signed_in");
    assert.equal(signIns.length, 2);
    for (const event of signIns) {
      assert.equal(event.detail.app, "Reseller Control Panel");
      assert.equal(event.detail.acr, "urn:twostep:acr:2fa");
    }
  });

  it("asks for the password and the code again with max_age=0 and with prompt=login", async () => {
    for (const extra of [{ max_age: "0" }, { prompt: "login" }] as Record<string, string>[]) {
      const request = await signIn(extra);
      const atLogin = await signedIn.follow(request.url.href);
      assert.match(atLogin, /\/login\?return_to=.*&prompt=login/, JSON.stringify(extra));
      assert.match(signedIn.lastPage, /name="password"/);
      server.clock.advance(30);
      await signedIn.submit("/login", { email: user.user.email, password: user.password });
      const callback = await signedIn.submit("/login/two-factor", { code: codeFor(user.keyBase32, server.clock.now()) });
      const fresh = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, ...(extra.max_age ? { maxAge: 0 } : {}) });
      assert.ok(fresh.claims()!.auth_time! * 1000 >= server.clock.now() - 5_000, "a new auth_time");
    }
  });

  it("rotates the refresh token on use; reusing the old one is refused and ends the grant", async () => {
    const first = tokens.refresh_token!;
    const rotated = await client.refreshTokenGrant(config, first);
    assert.ok(rotated.refresh_token && rotated.refresh_token !== first);
    await assert.rejects(client.refreshTokenGrant(config, first), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");
    await assert.rejects(client.refreshTokenGrant(config, rotated.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant", "the new one died with the grant");
    const introspected = await client.tokenIntrospection(config, rotated.access_token);
    assert.equal(introspected.active, false, "the grant's access tokens are gone too");
  });

  it("introspects and revokes for the token's own client only", async () => {
    const request = await signIn();
    const callback = await signedIn.follow(request.url.href);
    const fresh = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    assert.equal((await client.tokenIntrospection(other, fresh.access_token)).active, false, "another app learns nothing");
    const own = await client.tokenIntrospection(config, fresh.access_token);
    assert.equal(own.active, true);
    assert.equal(own.sub, user.user.id);
    // RFC 7009 §2.2: the answer does not say whether the token exists; the token is left alone.
    await client.tokenRevocation(other, fresh.refresh_token!);
    assert.equal((await client.tokenIntrospection(config, fresh.refresh_token!)).active, true, "another app cannot revoke it");
    await client.tokenRevocation(config, fresh.refresh_token!);
    assert.equal((await client.tokenIntrospection(config, fresh.refresh_token!)).active, false);
  });
});
