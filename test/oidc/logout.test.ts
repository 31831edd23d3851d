/**
 * RP-initiated logout and back-channel logout: the app sends the browser to
 * /oidc/session/end, the user confirms, the provider POSTs a signed logout
 * token to the app's registered back-channel URI (on 127.0.0.1: registered
 * URIs pass the library's guard against private addresses), the browser lands
 * on the registered post-logout URI, and its twostep session is over too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { startBackchannelReceiver, type BackchannelReceiver } from "../helpers/backchannel-receiver.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("logout from an app reaches its back-channel endpoint", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let config: client.Configuration;
  let clientId: string;
  let receiver: BackchannelReceiver;
  const redirectUri = "http://127.0.0.1:9/cb";
  const afterLogout = "http://127.0.0.1:9/signed-out";
  before(async () => {
    receiver = await startBackchannelReceiver();
    const backchannel = receiver.uri;
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    const app = await registerApp(server, { redirectUris: [redirectUri], postLogoutRedirectUris: [afterLogout], backchannelLogoutUri: backchannel });
    clientId = app.clientId;
    config = await relyingParty(server, app);
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it("sends a logout token signed with the provider's keys, then ends the twostep session", async () => {
    const browser = new Browser(server.issuer);
    const request = await authorizationRequest(config, redirectUri);
    const tokens = await exchange(config, await signInWithTotp(server, browser, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 }), request);
    const sid = tokens.claims()?.sid;
    assert.ok(sid, "the ID token names the session for back-channel logout");
    const endUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: afterLogout });
    await browser.follow(endUrl.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(browser.lastPage)?.[1];
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(browser.lastPage)?.[1];
    assert.ok(xsrf && action, "a confirmation form");
    const landed = await browser.follow(action, { form: { xsrf, logout: "yes" } });
    assert.equal(landed, afterLogout);
    assert.equal(receiver.received.length, 1);
    const logoutToken = receiver.received[0]!;
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(logoutToken, jwks, { issuer: server.issuer, audience: clientId, typ: "logout+jwt" });
    assert.ok((payload.events as Record<string, unknown>)["http://schemas.openid.net/event/backchannel-logout"]);
    assert.equal(payload.sub, user.user.id);
    assert.equal(payload.sid, sid);
    assert.equal(decodeJwt(logoutToken).nonce, undefined);
    const afterwards = await browser.request("/settings/security");
    assert.match(afterwards.headers.get("location") ?? "", /\/login/, "the twostep session ended with the app's logout");
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), "the app's refresh token died with the session");
  });
});
