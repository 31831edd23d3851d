/**
 * M2, SECURITY 25/26: the signed-webhook SMS adapter (src/gateways/sms/webhook.ts)
 * with withRetry (retry.ts) and its wiring from config (create.ts). As the
 * issue asks, "provider adapters are tested against a local HTTP server that
 * checks what they send": a real node:http receiver on 127.0.0.1 verifies each
 * request the way a provider's receiver should, written here independently of
 * the adapter: it recomputes hex HMAC-SHA256(secret, `${X-Twostep-Timestamp}.${raw body}`),
 * compares it with the `v1=` value of X-Twostep-Signature in constant time,
 * rejects stale timestamps, and checks the JSON body is exactly
 * { id, to, body, createdAt }. Retries use a fake sleep that records the
 * backoff and never waits; the only real wait is the 200 ms timeout test.
 */
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { composeSmsMessage } from "../../src/domain/sms-message.js";
import { createSmsGateway } from "../../src/gateways/sms/create.js";
import { withRetry } from "../../src/gateways/sms/retry.js";
import { createWebhookSmsGateway, type WebhookOptions } from "../../src/gateways/sms/webhook.js";
import type { SmsMessage } from "../../src/services/deps.js";
import { recordingSleep, refusedUrl, sendJson, startLocalServer, type LocalServer, type RecordedRequest } from "./local-http.js";

const secret = "whsec_5f0c1d2e3b4a59687766554433221100";
const fixedNow = Date.UTC(2026, 10, 22, 12, 0, 0);
const toleranceSeconds = 300;

const message: SmsMessage = {
  id: "5d1c7a8e-2b7f-4f0e-8c3a-9e6d4b2a1f00",
  to: "+447400123456",
  body: composeSmsMessage({ code: "654321", host: "login.example.com", issuer: "twostep", ttlMinutes: 5 }),
};

type Verification = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver does before trusting a request: the timestamp is recent, and
 * the `v1=` signature equals its own HMAC over `timestamp.rawBody`, compared in
 * constant time (timingSafeEqual on equal-length buffers).
 */
function verifyTwostepSignature(receiverSecret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds: number): Verification {
  const timestamp = headers["x-twostep-timestamp"];
  const signature = headers["x-twostep-signature"];
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "missing or malformed timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: "timestamp outside the tolerance" };
  if (typeof signature !== "string" || !signature.startsWith("v1=")) return { ok: false, reason: "no v1 signature" };
  const hex = signature.slice(3);
  if (!/^[0-9a-f]{64}$/.test(hex)) return { ok: false, reason: "malformed signature" };
  const expected = createHmac("sha256", receiverSecret).update(`${timestamp}.${rawBody}`, "utf8").digest();
  const received = Buffer.from(hex, "hex");
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: "signature mismatch" };
  return { ok: true };
}

function sign(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v1=${createHmac("sha256", signingSecret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

/** A provider's receiver: verifies, checks the body's shape, then answers what the test scripted. */
class Receiver {
  script: number[] = [];
  verifications: Verification[] = [];
  bodies: unknown[] = [];
  messageIdHeader: string | null = null;

  reset(): void {
    this.script = [];
    this.verifications = [];
    this.bodies = [];
    this.messageIdHeader = null;
  }

  readonly handler = (request: RecordedRequest, response: ServerResponse): void => {
    if (request.method !== "POST" || request.path !== "/hooks/sms") return sendJson(response, 404, { error: "not found" });
    const verification = verifyTwostepSignature(secret, request.headers, request.rawBody, Math.floor(fixedNow / 1000));
    this.verifications.push(verification);
    if (!verification.ok) return sendJson(response, 401, { error: verification.reason });
    if (request.headers["content-type"]?.split(";")[0] !== "application/json") return sendJson(response, 415, { error: "JSON only" });
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return sendJson(response, 400, { error: "bad JSON" });
    }
    this.bodies.push(body);
    const fields = body && typeof body === "object" ? Object.keys(body).sort() : [];
    if (fields.join(",") !== "body,createdAt,id,to") return sendJson(response, 422, { error: "unexpected fields" });
    const status = this.script.shift() ?? 202;
    const headers: Record<string, string> = status < 300 && this.messageIdHeader ? { "x-message-id": this.messageIdHeader } : {};
    sendJson(response, status, status < 300 ? { accepted: true } : { error: `status ${status}` }, headers);
  };
}

describe("the receiver's signature check (written as a provider would)", () => {
  const rawBody = JSON.stringify({ id: "m1", to: "+447400123456", body: "x", createdAt: new Date(fixedNow).toISOString() });
  const timestamp = Math.floor(fixedNow / 1000).toString();
  const nowSeconds = Math.floor(fixedNow / 1000);
  const headers = (signature: string, stamp = timestamp): IncomingHttpHeaders => ({ "x-twostep-timestamp": stamp, "x-twostep-signature": signature });

  it("accepts a signature made with the shared secret", () => {
    assert.deepEqual(verifyTwostepSignature(secret, headers(sign(secret, timestamp, rawBody)), rawBody, nowSeconds), { ok: true });
  });

  it("rejects a signature made with a wrong secret, or checked with a wrong secret", () => {
    assert.deepEqual(verifyTwostepSignature(secret, headers(sign("whsec_wrong", timestamp, rawBody)), rawBody, nowSeconds), { ok: false, reason: "signature mismatch" });
    assert.deepEqual(verifyTwostepSignature("whsec_wrong", headers(sign(secret, timestamp, rawBody)), rawBody, nowSeconds), { ok: false, reason: "signature mismatch" });
  });

  it("rejects a changed body, a changed timestamp, a stale timestamp and malformed signatures", () => {
    const good = sign(secret, timestamp, rawBody);
    assert.equal(verifyTwostepSignature(secret, headers(good), rawBody.replace("+4474", "+4475"), nowSeconds).ok, false);
    assert.equal(verifyTwostepSignature(secret, headers(good, String(nowSeconds - 1)), rawBody, nowSeconds).ok, false);
    const old = String(nowSeconds - toleranceSeconds - 1);
    assert.deepEqual(verifyTwostepSignature(secret, headers(sign(secret, old, rawBody), old), rawBody, nowSeconds), { ok: false, reason: "timestamp outside the tolerance" });
    assert.equal(verifyTwostepSignature(secret, headers(good.slice(3)), rawBody, nowSeconds).ok, false, "no v1= prefix");
    assert.equal(verifyTwostepSignature(secret, headers(good.slice(0, -2)), rawBody, nowSeconds).ok, false, "truncated");
    assert.equal(verifyTwostepSignature(secret, { "x-twostep-signature": good }, rawBody, nowSeconds).ok, false, "no timestamp");
  });
});

describe("webhook SMS adapter against a local verifying receiver", () => {
  const receiver = new Receiver();
  let local: LocalServer;
  let hanging: LocalServer;

  const options = (overrides: Partial<WebhookOptions> = {}): WebhookOptions => ({ url: `${local.url}/hooks/sms`, secret, now: () => fixedNow, timeoutMs: 5_000, ...overrides });

  before(async () => {
    local = await startLocalServer(receiver.handler);
    hanging = await startLocalServer(() => undefined);
  });

  after(async () => {
    await local.close();
    await hanging.close();
  });

  beforeEach(() => {
    receiver.reset();
    local.requests.length = 0;
  });

  it("posts a signed JSON { id, to, body, createdAt } that the receiver verifies; 2xx is ok", async () => {
    receiver.messageIdHeader = "prov-msg-77";
    const result = await createWebhookSmsGateway(options()).send(message);
    assert.deepEqual(result, { ok: true, providerMessageId: "prov-msg-77" });
    assert.deepEqual(receiver.verifications, [{ ok: true }]);

    const request = local.requests[0]!;
    assert.equal(request.method, "POST");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["x-twostep-timestamp"], String(Math.floor(fixedNow / 1000)));
    assert.match(String(request.headers["x-twostep-signature"]), /^v1=[0-9a-f]{64}$/);
    assert.deepEqual(JSON.parse(request.rawBody), { id: message.id, to: message.to, body: message.body, createdAt: "2026-11-22T12:00:00.000Z" });
    // The origin-bound last line survives the JSON round trip (SECURITY 26).
    assert.equal((JSON.parse(request.rawBody) as { body: string }).body.split("\n").at(-1), "@login.example.com #654321");
  });

  it("uses the message id as the provider id when the receiver names none", async () => {
    const result = await createWebhookSmsGateway(options()).send(message);
    assert.deepEqual(result, { ok: true, providerMessageId: message.id });
  });

  it("is rejected by the receiver when signed with a wrong secret: 401, permanent, not retried", async () => {
    const retry = recordingSleep();
    const gateway = withRetry(createWebhookSmsGateway(options({ secret: "whsec_not_the_shared_one" })), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: false, transient: false, reason: "HTTP 401" });
    assert.deepEqual(receiver.verifications, [{ ok: false, reason: "signature mismatch" }]);
    assert.equal(local.requests.length, 1);
    assert.deepEqual(retry.delays, []);
  });

  it("retries a 503 (after 300 ms of fake sleep) and then succeeds", async () => {
    receiver.script = [503, 200];
    const retry = recordingSleep();
    const gateway = withRetry(createWebhookSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: true, providerMessageId: message.id });
    assert.equal(local.requests.length, 2);
    assert.deepEqual(retry.delays, [300]);
    assert.deepEqual(receiver.verifications, [{ ok: true }, { ok: true }]);
  });

  it("does not retry a 404", async () => {
    const retry = recordingSleep();
    const gateway = withRetry(createWebhookSmsGateway(options({ url: `${local.url}/no/such/hook` })), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: false, transient: false, reason: "HTTP 404" });
    assert.equal(local.requests.length, 1);
    assert.deepEqual(retry.delays, []);
  });

  it("reports a refused connection and a timeout as transient", async () => {
    const refused = await createWebhookSmsGateway(options({ url: `${await refusedUrl()}/hooks/sms` })).send(message);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.transient && refused.reason.startsWith("network: "));

    const timedOut = await createWebhookSmsGateway(options({ url: `${hanging.url}/hooks/sms`, timeoutMs: 200 })).send(message);
    assert.deepEqual(timedOut, { ok: false, transient: true, reason: "network: TimeoutError" });
  });

  it("is what createSmsGateway builds from TWOSTEP_SMS_GATEWAY=webhook, signing with the configured secret and clock", async () => {
    const config = parseConfig({
      TWOSTEP_ENV: "test",
      TWOSTEP_SMS_GATEWAY: "webhook",
      TWOSTEP_SMS_WEBHOOK_URL: `${local.url}/hooks/sms`,
      TWOSTEP_SMS_WEBHOOK_SECRET: secret,
    });
    assert.deepEqual(config.sms.webhook, { url: `${local.url}/hooks/sms`, secret });
    const outbox = {
      insertOutboxMessage: async () => {
        throw new Error("the outbox must not be used when a webhook is configured");
      },
    };
    const gateway = createSmsGateway(config.sms, outbox, () => fixedNow);
    assert.equal(gateway.name, "webhook");
    assert.deepEqual(await gateway.send(message), { ok: true, providerMessageId: message.id });
    assert.deepEqual(receiver.verifications, [{ ok: true }]);
  });
});
