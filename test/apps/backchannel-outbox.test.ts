/**
 * Issue 15 item 5: a back-channel logout is an outbox message with the email's
 * guarantees (on the store TWOSTEP_TEST_DATABASE picks): a failed delivery is
 * retried with backoff and then sent; a dispatcher that dies holding a claim
 * loses nothing (the lease runs out, another sends it); two dispatchers racing
 * over one outbox send each logout once. The app's endpoint is a real local
 * HTTP server; each token it gets is checked against the provider's JWKS.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { rotateSigningKey } from "../../src/services/apps/signing-keys.js";
import { startBackchannelReceiver, type BackchannelReceiver } from "../helpers/backchannel-receiver.js";
import { registerApp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { dispatchDueMessages, retryDelayMs } from "../../src/services/messages/message-dispatcher.js";
import { backchannelLogoutChannel, backchannelLogoutKind } from "../../src/services/apps/app-sessions.js";
import { createBackchannelSender } from "../../src/services/apps/backchannel-delivery.js";
import { createMetrics } from "../../src/operations/metrics.js";
import { instrumentsFor } from "../../src/operations/observed-parts.js";

describe("back-channel logouts in the outbox", () => {
  let server: OidcServer;
  let receiver: BackchannelReceiver;
  let clientId: string;

  before(async () => {
    receiver = await startBackchannelReceiver();
    server = await startOidcServer();
    clientId = (await registerApp(server, { backchannelLogoutUri: receiver.uri })).clientId;
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.answer = 200;
    receiver.received.length = 0;
  });

  const enqueue = async (sid = randomUUID()) => {
    const id = randomUUID();
    await server.runtime.deps.store.messages.enqueue({ id, channel: backchannelLogoutChannel, recipient: clientId, kind: backchannelLogoutKind, subject: "", textBody: "", htmlBody: "", payload: JSON.stringify({ clientId, sub: "user-1", sid }), createdAt: server.clock.now() });
    return { id, sid };
  };
  const row = async (id: string) => (await server.runtime.deps.store.messages.listMessages(1000)).find((message) => message.id === id)!;
  const verified = async (token: string) =>
    (await jwtVerify(token, createRemoteJWKSet(new URL(`${server.issuer}/oidc/jwks`)), { issuer: server.issuer, audience: clientId, typ: "logout+jwt" })).payload;

  it("retries a logout the app refused, with backoff, then sends it", async () => {
    const { id, sid } = await enqueue();
    receiver.answer = 503;
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 0, retried: 1, failed: 0 });
    const waiting = await row(id);
    assert.equal(waiting.status, "pending");
    assert.equal(waiting.lastError, "the app answered 503");
    assert.ok(waiting.nextAttemptAt >= server.clock.now() + retryDelayMs(1, server.runtime.deps.config.email.retrySeconds * 1000) - 1000, "due again only after the backoff");
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 0, retried: 0, failed: 0 }, "not before its time");
    receiver.answer = 200;
    server.clock.advance(server.runtime.deps.config.email.retrySeconds + 1);
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 1, retried: 0, failed: 0 });
    assert.equal(receiver.received.length, 2, "the refused POST and the accepted one");
    // Each try makes a new token (the library gives one 120 seconds): the one the app accepted is valid now.
    assert.equal((await verified(receiver.received[1]!)).sid, sid);
    assert.equal((await row(id)).status, "sent");
  });

  it("counts each POST in twostep_message_sends_total when the metrics run (sent, refused for now, gone)", async () => {
    const metrics = createMetrics();
    const deps = { ...server.runtime.deps, backchannel: instrumentsFor(metrics, () => null).backchannel(createBackchannelSender(server.runtime.deps)) };
    const count = async (outcome: string) => Number(new RegExp(`twostep_message_sends_total\\{channel="backchannel_logout",gateway="provider",outcome="${outcome}"\\} (\\d+)`).exec(await metrics.registry.metrics())?.[1] ?? 0);
    await enqueue();
    receiver.answer = 503;
    assert.deepEqual(await dispatchDueMessages(deps), { sent: 0, retried: 1, failed: 0 });
    receiver.answer = 200;
    server.clock.advance(server.runtime.deps.config.email.retrySeconds + 1);
    assert.deepEqual(await dispatchDueMessages(deps), { sent: 1, retried: 0, failed: 0 });
    assert.deepEqual([await count("sent"), await count("transient_failure"), await count("permanent_failure")], [1, 1, 0]);
  });

  it("loses nothing when a dispatcher dies holding its claim: after the lease another sends it, once", async () => {
    const { id, sid } = await enqueue();
    const claimed = await server.runtime.deps.store.messages.claimDue(server.clock.now(), 10, "killed-dispatcher", 120_000);
    assert.ok(claimed.some((message) => message.id === id));
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 0, retried: 0, failed: 0 }, "held by the dead dispatcher's lease");
    assert.equal(receiver.received.length, 0);
    server.clock.advance(121);
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 1, retried: 0, failed: 0 });
    assert.equal((await verified(receiver.received[0]!)).sid, sid);
    assert.equal((await server.runtime.deps.store.messages.markSent(id, "killed-dispatcher", server.clock.now(), "")), false, "the dead claimant cannot settle it");
  });

  it("two dispatchers racing over one outbox send each logout once", async () => {
    const queued = await Promise.all(Array.from({ length: 24 }, () => enqueue()));
    // Two senders of their own (as two instances have), one store.
    const one = { ...server.runtime.deps, backchannel: createBackchannelSender(server.runtime.deps) };
    const two = { ...server.runtime.deps, backchannel: createBackchannelSender(server.runtime.deps) };
    const options = { batchSize: 5, leaseMs: 120_000, maxAttempts: 8, retryBaseMs: 30_000 };
    const reports = await Promise.all([dispatchDueMessages(one, options), dispatchDueMessages(two, options)]);
    assert.equal(reports[0].sent + reports[1].sent, 24);
    const sids = await Promise.all(receiver.received.map(async (token) => String((await verified(token)).sid)));
    assert.equal(sids.length, 24, "24 POSTs, no more");
    assert.deepEqual(new Set(sids), new Set(queued.map((each) => each.sid)), "each logout arrived");
  });

  it("gives up at once on a logout for an app that is gone", async () => {
    const id = randomUUID();
    await server.runtime.deps.store.messages.enqueue({ id, channel: backchannelLogoutChannel, recipient: "no-such-app", kind: backchannelLogoutKind, subject: "", textBody: "", htmlBody: "", payload: JSON.stringify({ clientId: "no-such-app", sub: "u", sid: "s" }), createdAt: server.clock.now() });
    assert.deepEqual(await dispatchDueMessages(server.runtime.deps), { sent: 0, retried: 0, failed: 1 });
    assert.equal((await row(id)).lastError, "the app has no back-channel logout URI any more");
  });

  it("signs with the signing key of the moment it sends, after a rotation too", async () => {
    const rotation = await rotateSigningKey(server.runtime.deps);
    await enqueue();
    await dispatchDueMessages(server.runtime.deps);
    assert.notEqual(decodeProtectedHeader(receiver.received.at(-1)!).kid, rotation.newKeyId, "a new key signs only once every instance publishes it");
    server.clock.advance((rotation.signsFrom - server.clock.now()) / 1000 + 1);
    await enqueue();
    await dispatchDueMessages(server.runtime.deps);
    assert.equal(decodeProtectedHeader(receiver.received.at(-1)!).kid, rotation.newKeyId, "the new key, once it signs");
  });

  it("keeps no token: not in the outbox row, not in the log", async () => {
    const { id } = await enqueue();
    receiver.answer = 500;
    await dispatchDueMessages(server.runtime.deps);
    receiver.answer = 200;
    server.clock.advance(3600);
    await dispatchDueMessages(server.runtime.deps);
    const token = receiver.received.at(-1)!;
    const stored = JSON.stringify(await row(id));
    assert.ok(!stored.includes("eyJ"), "the row holds no JWT");
    const lines = (server.runtime.deps.logger as unknown as { lines?: string[] }).lines ?? [];
    assert.ok(lines.length > 0, "the dispatcher logged its tries");
    for (const tried of receiver.received) assert.ok(!lines.some((line) => line.includes(tried.split(".")[2]!)), "no token in the log");
    assert.ok(token.startsWith("eyJ"));
  });
});
