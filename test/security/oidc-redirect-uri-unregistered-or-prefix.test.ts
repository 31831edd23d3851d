/**
 * Threat: an attacker crafts an authorization request whose redirect_uri is
 * theirs, or the registered one with something added (a path, a query, a
 * prefix), to receive the code. The redirect URI must match a registered one
 * exactly; an untrusted one never receives a redirect, not even an error
 * (RFC 9700 §4.1): twostep shows its own error page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { registerApp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: unregistered or prefix-matched redirect_uri", () => {
  let server: OidcServer;
  let clientId: string;
  const registered = "https://rcp.example.test/callback";
  before(async () => {
    server = await startOidcServer();
    ({ clientId } = await registerApp(server, { redirectUris: [registered] }));
  });
  after(() => server.close());

  const authorize = (redirectUri: string) =>
    fetch(`${server.issuer}/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: "code", scope: "openid", redirect_uri: redirectUri, state: "s", nonce: "n", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })}`, { redirect: "manual" });

  for (const [name, uri] of [
    ["another host", "https://evil.example/callback"],
    ["a longer path", `${registered}/more`],
    ["a prefix", "https://rcp.example.test/call"],
    ["an added query", `${registered}?next=https://evil.example`],
    ["another scheme", "http://rcp.example.test/callback"],
    ["a trailing slash", `${registered}/`],
    ["an upper-case host", "https://RCP.example.test/callback"],
  ]) {
    it(`refuses ${name} with an error page and no redirect`, async () => {
      const response = await fetch(`${server.issuer}/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: "code", scope: "openid", redirect_uri: uri!, state: "s", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })}`, { redirect: "manual" });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("location"), null);
      const page = await response.text();
      assert.match(page, /This sign-in request was refused/);
      assert.match(page, /redirect_uri/);
    });
  }

  it("sends the registered URI exactly to the app's sign-in (the control)", async () => {
    const response = await authorize(registered);
    assert.equal(response.status, 303);
    assert.match(response.headers.get("location") ?? "", /\/oidc\/interaction\//);
  });
});
