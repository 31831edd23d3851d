/**
 * Threat: an app keeps a deactivated user signed in by refreshing. The
 * provider asks twostep for the user on every refresh: an inactive user has
 * no account, so the refresh token is refused (invalid_grant).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { exchange, totpUserAndApp } from "../helpers/oidc.js";

describe("attack: a deactivated user's refresh token", () => {
  const given = totpUserAndApp();

  it("refreshes while the user is active, and refuses once they are deactivated", async () => {
    const { config, server, user } = given;
    const { request, callback } = await given.signIn();
    const tokens = await exchange(config, callback, request);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await server.runtime.deps.store.accounts.setUserActive(user.user.id, false);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");
  });
});
