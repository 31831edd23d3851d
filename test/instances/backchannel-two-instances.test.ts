/**
 * Issue 15 item 5 across instances (PostgreSQL in the PostgreSQL run): two
 * instances on one database, each with its own message dispatcher polling the
 * outbox. A user signs in to an app through the first and logs out of twostep
 * on the second: the app's back-channel endpoint (a real local server) gets
 * the logout token once, signed with the key both instances publish.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { createSharedTestDatabase, type SharedTestDatabase } from "../helpers/database.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { startBackchannelReceiver, type BackchannelReceiver } from "../helpers/backchannel-receiver.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { startMessageDispatcher, type DispatcherLoop } from "../../src/services/messages/message-dispatcher.js";

describe("back-channel logout across two instances", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-backchannel-instances-"));
  let shared: SharedTestDatabase;
  let first: OidcServer;
  let second: OidcServer;
  let dispatchers: DispatcherLoop[] = [];
  let receiver: BackchannelReceiver;
  let user: EnrolledUser;
  let config: client.Configuration;
  let clientId: string;
  const redirectUri = "http://127.0.0.1:9/cb";

  before(async () => {
    receiver = await startBackchannelReceiver();
    shared = await createSharedTestDatabase(dir);
    first = await startOidcServer({ shared });
    second = await startOidcServer({ shared, env: { TWOSTEP_PUBLIC_URL: first.issuer } });
    user = await enrolTotp(first.runtime.deps);
    const app = await registerApp(first, { redirectUris: [redirectUri], backchannelLogoutUri: receiver.uri });
    clientId = app.clientId;
    config = await relyingParty(first, app);
    dispatchers = [startMessageDispatcher(first.runtime.deps, 100), startMessageDispatcher(second.runtime.deps, 100)];
  });
  after(async () => {
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    await second?.close();
    await first?.close();
    await shared?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs in on one instance, logs out on the other: the app's endpoint gets one logout token", async () => {
    const onFirst = new Browser(first.issuer, [first.app.listeningOrigin]);
    const request = await authorizationRequest(config, redirectUri);
    const tokens = await exchange(config, await signInWithTotp(first, onFirst, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 }), request);
    const sid = tokens.claims()?.sid;
    assert.ok(sid);
    // The same browser (its cookies), now behind the second instance.
    const onSecond = new Browser(first.issuer, [second.app.listeningOrigin]);
    for (const [name, cookie] of onFirst.jar) onSecond.jar.set(name, cookie);
    await onSecond.follow("/settings/security");
    assert.equal(onSecond.lastStatus, 200, "signed in on the second instance too");
    await onSecond.submit("/logout", {});
    const deadline = Date.now() + 15_000;
    while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // Both dispatchers poll every 100 ms: a second POST would come within a few of their passes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(receiver.received.length, 1, "one logout token, whichever instance sent it");
    const { payload } = await jwtVerify(receiver.received[0]!, createRemoteJWKSet(new URL(`${second.app.listeningOrigin}/oidc/jwks`)), { issuer: first.issuer, audience: clientId, typ: "logout+jwt" });
    assert.equal(payload.sub, user.user.id);
    assert.equal(payload.sid, sid);
    const rows = (await first.runtime.deps.store.messages.listMessages(100)).filter((message) => message.channel === "backchannel_logout");
    assert.deepEqual(rows.map((row) => [row.status, row.attempts]), [["sent", 1]], "claimed once, sent at the first try");
  });
});
