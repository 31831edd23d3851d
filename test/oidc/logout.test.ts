/**
 * RP-initiated logout and back-channel logout: the app sends the browser to
 * /oidc/session/end, the user confirms, the provider POSTs a signed logout
 * token to the app's registered back-channel URI (on 127.0.0.1: registered
 * URIs pass the library's guard against private addresses), the browser lands
 * on the registered post-logout URI, and its twostep session is over too. A
 * POST the app refuses is queued in the outbox and sent again from there.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { dispatchDueMessages } from "../../src/services/messages/message-dispatcher.js";
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

  /** Signs in to the app, then logs out from it (RP-initiated) and confirms; returns the tokens and where the browser landed. */
  const signInThenLogOut = async () => {
    const browser = new Browser(server.issuer);
    const request = await authorizationRequest(config, redirectUri);
    const tokens = await exchange(config, await signInWithTotp(server, browser, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 }), request);
    const endUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: afterLogout });
    await browser.follow(endUrl.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(browser.lastPage)?.[1];
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(browser.lastPage)?.[1];
    assert.ok(xsrf && action, "a confirmation form");
    return { browser, tokens, landed: await browser.follow(action, { form: { xsrf, logout: "yes" } }) };
  };

  it("sends a logout token signed with the provider's keys, then ends the twostep session", async () => {
    const { browser, tokens, landed } = await signInThenLogOut();
    const sid = tokens.claims()?.sid;
    assert.ok(sid, "the ID token names the session for back-channel logout");
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
    const queued = (await server.runtime.deps.store.messages.listMessages(50)).filter((message) => message.channel === "backchannel_logout");
    assert.deepEqual(queued, [], "sent by the library; the twostep session's end queues no second logout");
  });

  it("queues a logout the app refused in the outbox, which sends it once the app answers", async () => {
    receiver.answer = 500;
    const before = receiver.received.length;
    const { tokens } = await signInThenLogOut();
    assert.equal(receiver.received.length, before + 1, "the library tried once");
    const deadline = Date.now() + 5000;
    const queued = async () => (await server.runtime.deps.store.messages.listMessages(20)).filter((message) => message.channel === "backchannel_logout" && message.status === "pending");
    while ((await queued()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await queued()).length, 1, "the failed logout waits in the outbox");
    receiver.answer = 200;
    await dispatchDueMessages(server.runtime.deps);
    assert.equal(receiver.received.length, before + 2, "sent again from the outbox");
    assert.deepEqual((await server.runtime.deps.store.messages.listMessages(50)).filter((message) => message.channel === "backchannel_logout").map((message) => message.status), ["sent"]);
    const { payload } = await jwtVerify(receiver.received.at(-1)!, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), { issuer: server.issuer, audience: clientId, typ: "logout+jwt" });
    assert.equal(payload.sid, tokens.claims()?.sid);
  });
});
