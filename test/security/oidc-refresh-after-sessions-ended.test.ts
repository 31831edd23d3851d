/**
 * Threat: an app keeps refreshing after twostep ended the user's sessions
 * (password reset, 2FA change, "sign out everywhere" — every path calls
 * revokeUserSessions). A refresh token lives only as long as the twostep
 * session whose login it carries: once that session is revoked, the refresh
 * is invalid_grant, while a token from another, live session still works.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { exchange, totpUserAndApp } from "../helpers/oidc.js";

describe("attack: refreshing after twostep ended the user's sessions", () => {
  const given = totpUserAndApp();
  const signIn = async () => {
    const { request, callback } = await given.signIn();
    return exchange(given.config, callback, request);
  };

  it("refuses the refresh once every session of the user is revoked", async () => {
    const tokens = await signIn();
    const refreshed = await client.refreshTokenGrant(given.config, tokens.refresh_token!);
    await given.server.runtime.deps.store.sessions.revokeUserSessions(given.user.user.id, given.server.clock.now());
    await assert.rejects(client.refreshTokenGrant(given.config, refreshed.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");
  });

  it("keeps a token of a later, live session working", async () => {
    given.server.clock.advance(2); // another second: another login's auth_time
    const tokens = await signIn();
    assert.ok((await client.refreshTokenGrant(given.config, tokens.refresh_token!)).access_token);
  });
});
