/**
 * Issue 15 item 5: when twostep itself ends a session (logout, a reseller
 * disabling a customer's 2FA, deactivation, password reset), each app signed
 * in through it gets an OpenID Connect back-channel logout: queued in the
 * outbox in the same transaction, POSTed by the message dispatcher to the
 * app's registered URI (a real local HTTP server), signed with the provider's
 * key and checked here against the published JWKS. The app's refresh token
 * dies with it. Item 6: "Apps you are signed in to" on the security page, with
 * a "Sign out" button per app.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { startBackchannelReceiver, type BackchannelReceiver } from "../helpers/backchannel-receiver.js";
import { enrolTotpFor, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { addUser, seedReseller, type Reseller } from "../helpers/storefront.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { dispatchDueMessages } from "../../src/services/messages/message-dispatcher.js";
import { disableCustomerTwoFactor } from "../../src/services/storefront/disable-customer-two-factor.js";
import { deactivateUser } from "../../src/services/admin/deactivate-user.js";
import { requestPasswordReset } from "../../src/services/reset/password-reset-request.js";
import { completePasswordReset } from "../../src/services/reset/password-reset-complete.js";
import type { Actor } from "../../src/services/access/access.js";
import { disableTwoFactor } from "../../src/services/enrolment/disable-two-factor.js";
import { resolveSession } from "../../src/services/sessions/sessions.js";
import { sessionCookie } from "../../src/http/plugins/authentication.js";

const context = { clientAddress: "203.0.113.9", userAgent: "test" };

describe("back-channel logout when twostep ends a session", () => {
  let server: OidcServer;
  let reseller: Reseller;
  let member: EnrolledUser;
  let config: client.Configuration;
  let clientId: string;
  let appName: string;
  let receiver: BackchannelReceiver;
  const redirectUri = "http://127.0.0.1:9/cb";

  before(async () => {
    receiver = await startBackchannelReceiver();
    server = await startOidcServer();
    reseller = await seedReseller(server.runtime.deps, "Backchannel");
    const plain = await addUser(server.runtime.deps, reseller.account, { name: "Backchannel Member" });
    member = await enrolTotpFor(server.runtime.deps, plain.user, plain.password);
    const app = await registerApp(server, { redirectUris: [redirectUri], backchannelLogoutUri: receiver.uri });
    clientId = app.clientId;
    appName = app.client.name;
    config = await relyingParty(server, app);
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const signIn = async (who: EnrolledUser) => {
    const browser = new Browser(server.issuer);
    const request = await authorizationRequest(config, redirectUri);
    const tokens = await exchange(config, await signInWithTotp(server, browser, request, { email: who.user.email, password: who.password, keyBase32: who.keyBase32 }), request);
    const sid = tokens.claims()?.sid;
    assert.ok(sid, "the ID token names the session (the app registered a back-channel URI)");
    return { browser, tokens, sid: String(sid) };
  };

  /** Sends what the outbox holds, then checks the one logout token the app got: signature against the JWKS, and the spec's claims. */
  const expectOneLogout = async (who: EnrolledUser, sid: string) => {
    const before = receiver.received.length;
    // The pass also sends the emails the change queued ("your password was reset"): the app counts only its own POSTs.
    const report = await dispatchDueMessages(server.runtime.deps);
    assert.equal(receiver.received.length, before + 1, `one back-channel logout received: ${JSON.stringify(report)}`);
    const token = receiver.received.at(-1)!;
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), { issuer: server.issuer, audience: clientId, typ: "logout+jwt", algorithms: ["RS256"] });
    assert.equal(payload.sub, who.user.id);
    assert.equal(payload.sid, sid);
    assert.deepEqual(payload.events, { "http://schemas.openid.net/event/backchannel-logout": {} });
    assert.ok(typeof payload.jti === "string" && payload.jti.length > 0);
    assert.ok(typeof payload.iat === "number" && typeof payload.exp === "number" && payload.exp > payload.iat);
    assert.equal(decodeJwt(token).nonce, undefined, "a logout token never carries a nonce");
    assert.ok(protectedHeader.kid, "signed with a published key");
    assert.equal(decodeProtectedHeader(token).alg, "RS256");
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 0, retried: 0, failed: 0 }, "sent once");
  };

  const refreshRefused = (refreshToken: string) => assert.rejects(client.refreshTokenGrant(config, refreshToken), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_grant");

  const adminActor = async (): Promise<Actor> => {
    const now = server.clock.now();
    return { user: reseller.admin.user, account: reseller.account, session: { id: "admin-session", userId: reseller.admin.user.id, createdAt: now, expiresAt: now + 3_600_000, authenticatedAt: now, recoveryCodeUsed: false, lastActiveAt: now }, via: "session" };
  };

  it("logout at twostep reaches the app's back-channel endpoint", async () => {
    const { browser, tokens, sid } = await signIn(member);
    await browser.follow("/settings/security");
    await browser.submit("/logout", {});
    await expectOneLogout(member, sid);
    await refreshRefused(tokens.refresh_token!);
  });

  it("a reseller disabling a customer's 2FA reaches it", async () => {
    const { tokens, sid } = await signIn(reseller.enrolled);
    const done = await disableCustomerTwoFactor(server.runtime.deps, await adminActor(), reseller.enrolled.user.id, context);
    assert.ok(done.ok, JSON.stringify(done));
    await expectOneLogout(reseller.enrolled, sid);
    await refreshRefused(tokens.refresh_token!);
  });

  it("a password reset reaches it", async () => {
    const { tokens, sid } = await signIn(member);
    assert.ok((await requestPasswordReset(server.runtime.deps, { email: member.user.email }, context)).ok);
    const { token } = await resetLinkFor(server.runtime.deps, member.user.email);
    const done = await completePasswordReset(server.runtime.deps, { token, newPassword: "a brand new passphrase 42" }, context);
    assert.ok(done.ok, JSON.stringify(done));
    member = { ...member, password: "a brand new passphrase 42" };
    await expectOneLogout(member, sid);
    await refreshRefused(tokens.refresh_token!);
  });

  it("turning one's own 2FA off ends the apps of the other sessions, and keeps this browser's", async () => {
    const plain = await addUser(server.runtime.deps, reseller.account, { name: "Backchannel Two Browsers" });
    const owner = await enrolTotpFor(server.runtime.deps, plain.user, plain.password);
    const elsewhere = await signIn(owner);
    const here = await signIn(owner);
    const auth = await resolveSession(server.runtime.deps, here.browser.jar.get(sessionCookie)?.value);
    assert.ok(auth);
    const done = await disableTwoFactor(server.runtime.deps, auth, { password: owner.password }, context);
    assert.ok(done.ok, JSON.stringify(done));
    await expectOneLogout(owner, elsewhere.sid);
    await refreshRefused(elsewhere.tokens.refresh_token!);
    assert.ok((await client.refreshTokenGrant(config, here.tokens.refresh_token!)).access_token, "this browser's app stays signed in");
  });

  it("logging out ends only this browser's apps, even beside a session of the same user made in the same second", async () => {
    // A user without 2FA: two logins in one second are possible (a TOTP code cannot be used twice).
    const plain = await addUser(server.runtime.deps, reseller.account, { name: "Backchannel Same Second" });
    const who = { ...plain, keyBase32: "" } as unknown as EnrolledUser;
    const clock = server.runtime.deps.clock as { now: () => number };
    const running = clock.now;
    const second = Math.floor(running() / 1000) * 1000 + 100;
    clock.now = () => second;
    try {
      const signInPlain = async () => {
        const browser = new Browser(server.issuer);
        const request = await authorizationRequest(config, redirectUri);
        const tokens = await exchange(config, await signInWithTotp(server, browser, request, { email: who.user.email, password: who.password }), request);
        return { browser, tokens, sid: String(tokens.claims()?.sid) };
      };
      const first = await signInPlain();
      const other = await signInPlain();
      assert.notEqual(first.sid, other.sid);
      await first.browser.follow("/settings/security");
      await first.browser.submit("/logout", {});
      await expectOneLogout(who, first.sid);
      await refreshRefused(first.tokens.refresh_token!);
      assert.ok((await client.refreshTokenGrant(config, other.tokens.refresh_token!)).access_token, "the other browser's app stays signed in");
      const apps = (await (await fetch(`${server.issuer}/api/me/apps`, { headers: { authorization: `Bearer ${other.browser.jar.get(sessionCookie)!.value}` } })).json()) as { apps: { clientId: string }[] };
      assert.deepEqual(apps.apps.map((each) => each.clientId), [clientId]);
    } finally {
      clock.now = running;
    }
  });

  it("lists the app on the security page; its Sign out button ends it there and reaches its endpoint", async () => {
    const { browser, tokens, sid } = await signIn(member);
    await browser.follow("/settings/security");
    assert.match(browser.lastPage, /<h2 id="apps-heading">Apps you are signed in to<\/h2>/);
    assert.ok(browser.lastPage.includes(`<td>${appName}</td>`), "the app by its name");
    assert.match(browser.lastPage, new RegExp(`action="/settings/apps/${clientId}/sign-out"`));
    assert.equal(await browser.follow(`/settings/apps/${clientId}/sign-out`, { form: { _csrf: "forged" } }).then(() => browser.lastStatus), 403, "no CSRF token, no sign-out");
    await browser.follow("/settings/security");
    const landed = await browser.submit(`/settings/apps/${clientId}/sign-out`, {});
    assert.match(landed, /\/settings\/security\?notice=app_signed_out/);
    assert.ok(!browser.lastPage.includes("Apps you are signed in to"), "the app is gone from the list");
    await expectOneLogout(member, sid);
    await refreshRefused(tokens.refresh_token!);
    const events = await server.runtime.deps.store.events.listEvents({ subjectUserId: member.user.id, limit: 20 });
    const signedOut = events.find((event) => event.type === "app.signed_out");
    assert.ok(signedOut, "the sign-out is in the user's event log");
    assert.equal(signedOut.detail.app, appName);
    assert.match((await browser.request("/settings/security")).headers.get("content-type") ?? "", /html/, "still signed in to twostep");
    assert.equal(browser.lastStatus, 200);
    const again = await browser.submit(`/settings/apps/${clientId}/sign-out`, {});
    assert.match(again, /notice=app_not_signed_in/, "an app not signed in to: nothing to end");
    // The provider session lives on without the app: the app's next sign-in in this browser is single sign-on, with a new grant.
    const request = await authorizationRequest(config, redirectUri);
    const callback = await browser.follow(request.url.href);
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    const renewed = await exchange(config, callback, request);
    assert.ok((await client.refreshTokenGrant(config, renewed.refresh_token!)).access_token, "the new grant works");
    await browser.follow("/settings/security");
    await browser.submit("/logout", {});
    await expectOneLogout(member, String(renewed.claims()?.sid));
  });

  it("lists and signs out of the app through the JSON API too", async () => {
    const { browser, tokens, sid } = await signIn(member);
    const headers = { authorization: `Bearer ${browser.jar.get(sessionCookie)!.value}` };
    const listed = (await (await fetch(`${server.issuer}/api/me/apps`, { headers })).json()) as { apps: { clientId: string; name: string; signedInAt: string }[] };
    assert.deepEqual(listed.apps.map((each) => [each.clientId, each.name]), [[clientId, appName]]);
    assert.equal((await fetch(`${server.issuer}/api/me/apps/00000000-0000-0000-0000-000000000000`, { method: "DELETE", headers })).status, 404, "an app not signed in to");
    assert.equal((await fetch(`${server.issuer}/api/me/apps/${clientId}`, { method: "DELETE" })).status, 401, "no session, nothing ended");
    const response = await fetch(`${server.issuer}/api/me/apps/${clientId}`, { method: "DELETE", headers });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { signedOut: appName });
    await expectOneLogout(member, sid);
    await refreshRefused(tokens.refresh_token!);
    assert.deepEqual(((await (await fetch(`${server.issuer}/api/me/apps`, { headers })).json()) as { apps: unknown[] }).apps, []);
  });

  it("deactivation reaches it", async () => {
    const { tokens, sid } = await signIn(member);
    const done = await deactivateUser(server.runtime.deps, await adminActor(), member.user.id, context);
    assert.ok(done.ok, JSON.stringify(done));
    await expectOneLogout(member, sid);
    await refreshRefused(tokens.refresh_token!);
  });
});
