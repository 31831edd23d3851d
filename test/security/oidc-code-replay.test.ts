/**
 * Threat: an authorization code used twice, one after the other (a leaked
 * code replayed) or at the same moment on two instances (a race). A code is
 * single use across instances, and a second use revokes every token issued
 * from it (RFC 6749 §4.1.2).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { exchange, totpUserAndApp } from "../helpers/oidc.js";

describe("attack: authorization code replay", () => {
  const given = totpUserAndApp();
  const redeem = (code: string, verifier: string) =>
    fetch(`${given.server.issuer}/oidc/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${given.app.clientId}:${given.app.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: given.redirectUri, code_verifier: verifier }),
    });

  it("refuses the second use and revokes the tokens of the first", async () => {
    const { config } = given;
    const { request, callback } = await given.signIn();
    const tokens = await exchange(config, callback, request);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
    const replay = await redeem(new URL(callback).searchParams.get("code")!, request.verifier);
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, "invalid_grant");
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false, "the first exchange's access token is revoked");
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), "and its refresh token");
  });

  it("lets exactly one of two simultaneous exchanges of one code win, and revokes what it got", async () => {
    const { config } = given;
    for (let round = 0; round < 3; round++) {
      const { request, callback } = await given.signIn();
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
