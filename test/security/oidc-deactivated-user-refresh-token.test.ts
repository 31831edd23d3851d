/**
 * Threat: an app keeps a deactivated user signed in by refreshing. The
 * provider asks twostep for the user on every refresh: an inactive user has
 * no account, so the refresh token is refused (invalid_grant).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: a deactivated user's refresh token", () => {
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

  it("refreshes while the user is active, and refuses once they are deactivated", async () => {
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signInWithTotp(server, new Browser(server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
    const tokens = await exchange(config, callback, request);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await server.runtime.deps.store.accounts.setUserActive(user.user.id, false);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");
  });
});
