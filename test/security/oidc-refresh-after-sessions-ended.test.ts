/**
 * Threat: an app keeps refreshing after twostep ended the user's sessions
 * (password reset, 2FA change, "sign out everywhere" — every path calls
 * revokeUserSessions). A refresh token lives only as long as the twostep
 * session whose login it carries: once that session is revoked, the refresh
 * is invalid_grant, while a token from another, live session still works.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: refreshing after twostep ended the user's sessions", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let config: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    config = await relyingParty(server, await registerApp(server, { redirectUris: [redirectUri] }));
  });
  after(() => server.close());

  const signIn = async () => {
    const request = await authorizationRequest(config, redirectUri);
    return exchange(config, await signInWithTotp(server, new Browser(server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 }), request);
  };

  it("refuses the refresh once every session of the user is revoked", async () => {
    const tokens = await signIn();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await server.runtime.deps.store.sessions.revokeUserSessions(user.user.id, server.clock.now());
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");
  });

  it("keeps a token of a later, live session working", async () => {
    server.clock.advance(2); // another second: another login's auth_time
    const tokens = await signIn();
    assert.ok((await client.refreshTokenGrant(config, tokens.refresh_token!)).access_token);
  });
});
