/**
 * Threat: an authorization code used twice, one after the other (a leaked
 * code replayed) or at the same moment on two instances (a race). A code is
 * single use across instances, and a second use revokes every token issued
 * from it (RFC 6749 §4.1.2).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: authorization code replay", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let app: { clientId: string; clientSecret: string | null };
  let config: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";
  const browser = () => new Browser(server.issuer);
  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    app = await registerApp(server, { redirectUris: [redirectUri] });
    config = await relyingParty(server, app);
  });
  after(() => server.close());

  const redeem = (code: string, verifier: string) =>
    fetch(`${server.issuer}/oidc/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier }),
    });

  it("refuses the second use and revokes the tokens of the first", async () => {
    const signedIn = browser();
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signInWithTotp(server, signedIn, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
    const tokens = await exchange(config, callback, request);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
    const replay = await redeem(new URL(callback).searchParams.get("code")!, request.verifier);
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, "invalid_grant");
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false, "the first exchange's access token is revoked");
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), "and its refresh token");
  });

  it("lets exactly one of two simultaneous exchanges of one code win, and revokes what it got", async () => {
    for (let round = 0; round < 3; round++) {
      const request = await authorizationRequest(config, redirectUri);
      const callback = await signInWithTotp(server, browser(), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
      const code = new URL(callback).searchParams.get("code")!;
      const answers = await Promise.all([redeem(code, request.verifier), redeem(code, request.verifier)]);
      const statuses = answers.map((answer) => answer.status).sort();
      const bodies = await Promise.all(answers.map((answer) => answer.json() as Promise<{ access_token?: string }>));
      if (statuses[0] === 400) {
        // Both lost: the loser's consume revoked the grant before the winner saved its tokens. Never two winners.
        assert.deepEqual(statuses, [400, 400]);
        continue;
      }
      assert.deepEqual(statuses, [200, 400], `round ${round}`);
      const won = bodies.find((body) => body.access_token)!;
      assert.equal((await client.tokenIntrospection(config, won.access_token!)).active, false, "the winner's tokens die with the grant");
    }
  });
});
