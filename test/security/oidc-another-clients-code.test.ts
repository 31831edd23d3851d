/**
 * Threat: an app (or whoever holds its credentials) redeems a code that was
 * issued to another app. The code is bound to its client: another client gets
 * invalid_grant, and nothing is issued.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: another client's authorization code", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let victim: client.Configuration;
  let attacker: { clientId: string; clientSecret: string | null };
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    victim = await relyingParty(server, await registerApp(server, { redirectUris: [redirectUri] }));
    attacker = await registerApp(server, { redirectUris: [redirectUri] });
  });
  after(() => server.close());

  it("refuses the code to the other client; its own client still redeems it", async () => {
    const request = await authorizationRequest(victim, redirectUri);
    const callback = await signInWithTotp(server, new Browser(server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
    const stolen = await fetch(`${server.issuer}/oidc/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${attacker.clientId}:${attacker.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code: new URL(callback).searchParams.get("code")!, redirect_uri: redirectUri, code_verifier: request.verifier }),
    });
    assert.equal(stolen.status, 400);
    const body = (await stolen.json()) as { error: string; access_token?: string };
    assert.equal(body.error, "invalid_grant");
    assert.equal(body.access_token, undefined);
    const tokens = await exchange(victim, callback, request);
    assert.equal(tokens.claims()?.sub, user.user.id);
  });

  it("refuses a wrong client secret with invalid_client", async () => {
    const response = await fetch(`${server.issuer}/oidc/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${attacker.clientId}:not-the-secret`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "x" }),
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, "invalid_client");
  });
});
