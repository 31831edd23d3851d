/**
 * M2, SECURITY 25/26: the Twilio SMS adapter (src/gateways/sms/twilio.ts) with
 * withRetry (retry.ts) and its wiring from config (create.ts). As the issue
 * asks, "provider adapters are tested against a local HTTP server that checks
 * what they send": a real node:http server on 127.0.0.1 behaves like Twilio's
 * Programmable Messaging API. It checks the path
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json), HTTP Basic auth
 * (base64 of AccountSid:AuthToken), the form content type and the form fields
 * (To in E.164, From or MessagingServiceSid, Body), answers 201 with a message
 * sid like Twilio, and Twilio's error JSON otherwise. Retries use a fake sleep
 * that records the backoff and never waits; the only real wait is the 200 ms
 * timeout test.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { composeSmsMessage } from "../../src/domain/sms-message.js";
import { createSmsGateway } from "../../src/gateways/sms/create.js";
import { withRetry } from "../../src/gateways/sms/retry.js";
import { createTwilioSmsGateway, type TwilioOptions } from "../../src/gateways/sms/twilio.js";
import type { SmsMessage } from "../../src/services/deps.js";
import { recordingSleep, refusedUrl, sendJson, startLocalServer, type LocalServer, type RecordedRequest } from "./local-http.js";

const accountSid = `AC${"0123456789abcdef".repeat(2)}`;
const authToken = "f00dfacef00dfacef00dfacef00dface";
const senderNumber = "+447700900123";
const messagingServiceSid = `MG${"fedcba9876543210".repeat(2)}`;

const message: SmsMessage = {
  id: "0b6f3e4e-6f1e-4b8e-9a51-2f3b9c1d7e20",
  to: "+447400123456",
  body: composeSmsMessage({ code: "012345", host: "login.example.com", issuer: "twostep", ttlMinutes: 5 }),
};

function twilioError(response: ServerResponse, status: number, code: number, text: string): void {
  sendJson(response, status, { code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/**
 * A stand-in for api.twilio.com that refuses anything Twilio would refuse.
 * `script` holds the statuses to answer once the request is valid (201 when
 * empty); `issuedSids` the message sids it handed out.
 */
class FakeTwilio {
  script: number[] = [];
  issuedSids: string[] = [];

  reset(): void {
    this.script = [];
    this.issuedSids = [];
  }

  readonly handler = (request: RecordedRequest, response: ServerResponse): void => {
    const match = /^\/2010-04-01\/Accounts\/([^/?]+)\/Messages\.json$/.exec(request.path);
    if (request.method !== "POST" || !match) return twilioError(response, 404, 20404, "The requested resource was not found");
    const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
    if (decodeURIComponent(match[1]!) !== accountSid || request.headers.authorization !== expectedAuth) {
      return twilioError(response, 401, 20003, "Authenticate");
    }
    if (request.headers["content-type"]?.split(";")[0]?.trim() !== "application/x-www-form-urlencoded") {
      return twilioError(response, 400, 20001, "Unsupported content type");
    }
    const form = new URLSearchParams(request.rawBody);
    const to = form.get("To");
    if (!to || !/^\+[1-9]\d{1,14}$/.test(to)) return twilioError(response, 400, 21211, `The 'To' number ${to ?? ""} is not a valid phone number.`);
    const from = form.get("From");
    const service = form.get("MessagingServiceSid");
    if ((from === null) === (service === null)) return twilioError(response, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required (one, not both).");
    if (service !== null && !/^MG[0-9a-f]{32}$/.test(service)) return twilioError(response, 400, 21701, "The Messaging Service Sid is invalid.");
    if (from !== null && !/^\+[1-9]\d{1,14}$/.test(from)) return twilioError(response, 400, 21212, "Invalid From Number");
    const body = form.get("Body");
    if (!body) return twilioError(response, 400, 21602, "Message body is required.");
    if (body.length > 1600) return twilioError(response, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");

    const status = this.script.shift() ?? 201;
    if (status === 429) return twilioError(response, 429, 20429, "Too Many Requests");
    if (status >= 500) return twilioError(response, status, 20500, "Internal Server Error");
    if (status !== 201) return twilioError(response, status, 21211, "The 'To' number is not a valid phone number.");
    const sid = `SM${randomBytes(16).toString("hex")}`;
    this.issuedSids.push(sid);
    sendJson(response, 201, {
      sid,
      account_sid: accountSid,
      to,
      from,
      messaging_service_sid: service,
      body,
      status: "queued",
      num_segments: "1",
      direction: "outbound-api",
      api_version: "2010-04-01",
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  };
}

describe("Twilio SMS adapter against a local Twilio-like server", () => {
  const twilio = new FakeTwilio();
  let local: LocalServer;
  let hanging: LocalServer;

  const options = (overrides: Partial<TwilioOptions> = {}): TwilioOptions => ({ accountSid, authToken, from: senderNumber, baseUrl: local.url, timeoutMs: 5_000, ...overrides });

  before(async () => {
    local = await startLocalServer(twilio.handler);
    // Accepts the request and never answers.
    hanging = await startLocalServer(() => undefined);
  });

  after(async () => {
    await local.close();
    await hanging.close();
  });

  beforeEach(() => {
    twilio.reset();
    local.requests.length = 0;
  });

  it("sends what Twilio's Messages API expects and returns the message sid", async () => {
    const result = await createTwilioSmsGateway(options()).send(message);

    assert.equal(twilio.issuedSids.length, 1);
    assert.deepEqual(result, { ok: true, providerMessageId: twilio.issuedSids[0] });
    assert.match(twilio.issuedSids[0]!, /^SM[0-9a-f]{32}$/);

    assert.equal(local.requests.length, 1);
    const request = local.requests[0]!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`);
    assert.equal(request.headers["content-type"], "application/x-www-form-urlencoded");
    const form = new URLSearchParams(request.rawBody);
    assert.deepEqual([...form.keys()].sort(), ["Body", "From", "To"]);
    assert.equal(form.get("To"), "+447400123456");
    assert.equal(form.get("From"), senderNumber);
    // The body arrives intact, newlines and all: its last line is the origin-bound one (SECURITY 26).
    assert.equal(form.get("Body"), message.body);
    assert.equal(form.get("Body")!.split("\n").at(-1), "@login.example.com #012345");
  });

  it("sends MessagingServiceSid instead of From when the sender is a Messaging Service (MG…)", async () => {
    const result = await createTwilioSmsGateway(options({ from: messagingServiceSid })).send(message);
    assert.equal(result.ok, true);
    const form = new URLSearchParams(local.requests[0]!.rawBody);
    assert.equal(form.get("MessagingServiceSid"), messagingServiceSid);
    assert.equal(form.has("From"), false);
  });

  it("is refused (401, Twilio error 20003, not transient) with the wrong Auth Token: the server really checks", async () => {
    const retry = recordingSleep();
    const gateway = withRetry(createTwilioSmsGateway(options({ authToken: "not-the-token" })), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: false, transient: false, reason: "HTTP 401 (Twilio error 20003)" });
    assert.equal(local.requests.length, 1);
    assert.deepEqual(retry.delays, []);
  });

  it("does not retry a 400 with Twilio's error JSON (21211) and reports it as permanent", async () => {
    const retry = recordingSleep();
    const gateway = withRetry(createTwilioSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    // Not E.164: the local server answers as Twilio does.
    const result = await gateway.send({ ...message, to: "07400123456" });
    assert.deepEqual(result, { ok: false, transient: false, reason: "HTTP 400 (Twilio error 21211)" });
    assert.equal(local.requests.length, 1);
    assert.deepEqual(retry.delays, []);
  });

  it("retries a 500 and succeeds on the second try, after a 300 ms backoff", async () => {
    twilio.script = [500, 201];
    const retry = recordingSleep();
    const gateway = withRetry(createTwilioSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: true, providerMessageId: twilio.issuedSids[0] });
    assert.equal(local.requests.length, 2);
    // The backoff asked for, recorded by the fake sleep (which never waits): no stopwatch in the test.
    assert.deepEqual(retry.delays, [300]);
    // The retry is the same message, byte for byte.
    assert.equal(local.requests[1]!.rawBody, local.requests[0]!.rawBody);
  });

  it("backs off exponentially (300, 600 ms) and succeeds on the third try", async () => {
    twilio.script = [500, 503, 201];
    const retry = recordingSleep();
    const gateway = withRetry(createTwilioSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.equal(result.ok, true);
    assert.equal(local.requests.length, 3);
    assert.deepEqual(retry.delays, [300, 600]);
  });

  it("gives up after the last attempt and reports the transient failure", async () => {
    twilio.script = [503, 503, 503, 201];
    const retry = recordingSleep();
    const gateway = withRetry(createTwilioSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep });
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: false, transient: true, reason: "HTTP 503 (Twilio error 20500)" });
    assert.equal(local.requests.length, 3);
    assert.deepEqual(retry.delays, [300, 600]);
  });

  it("retries a 429 (rate limited)", async () => {
    twilio.script = [429, 201];
    const retry = recordingSleep();
    const single = await createTwilioSmsGateway(options()).send(message);
    assert.deepEqual(single, { ok: false, transient: true, reason: "HTTP 429 (Twilio error 20429)" });

    local.requests.length = 0;
    twilio.script = [429, 201];
    const result = await withRetry(createTwilioSmsGateway(options()), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep }).send(message);
    assert.equal(result.ok, true);
    assert.equal(local.requests.length, 2);
    assert.deepEqual(retry.delays, [300]);
  });

  it("treats a 201 without a message sid as a permanent failure", async () => {
    local.handle((_request, response) => sendJson(response, 201, { status: "queued" }));
    try {
      const result = await createTwilioSmsGateway(options()).send(message);
      assert.deepEqual(result, { ok: false, transient: false, reason: "no message sid in the answer" });
    } finally {
      local.handle(twilio.handler);
    }
  });

  it("reports a refused connection as transient, and retries it", async () => {
    const baseUrl = await refusedUrl();
    const single = await createTwilioSmsGateway(options({ baseUrl })).send(message);
    assert.equal(single.ok, false);
    assert.ok(!single.ok && single.transient, "a network error is transient");
    assert.match(!single.ok ? single.reason : "", /^network: /);

    const retry = recordingSleep();
    const retried = await withRetry(createTwilioSmsGateway(options({ baseUrl })), { attempts: 3, baseDelayMs: 300, sleep: retry.sleep }).send(message);
    assert.equal(retried.ok, false);
    assert.deepEqual(retry.delays, [300, 600]);
  });

  it("times out on a server that never answers (timeoutMs) and reports it as transient", async () => {
    // The gateway's own timeout (AbortSignal.timeout) ends it: the reason says so, no stopwatch needed.
    const result = await createTwilioSmsGateway(options({ baseUrl: hanging.url, timeoutMs: 200 })).send(message);
    assert.deepEqual(result, { ok: false, transient: true, reason: "network: TimeoutError" });
    assert.equal(hanging.requests.length, 1, "the request did reach the server");
  });

  it("is what createSmsGateway builds from TWOSTEP_SMS_GATEWAY=twilio and the TWOSTEP_TWILIO_* variables", async () => {
    const config = parseConfig({
      TWOSTEP_ENV: "production",
      TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      TWOSTEP_SMS_GATEWAY: "twilio",
      TWOSTEP_TWILIO_ACCOUNT_SID: accountSid,
      TWOSTEP_TWILIO_AUTH_TOKEN: authToken,
      TWOSTEP_TWILIO_FROM: senderNumber,
      TWOSTEP_TWILIO_BASE_URL: `${local.url}/`,
    });
    assert.deepEqual(config.sms.twilio, { accountSid, authToken, from: senderNumber, baseUrl: local.url });
    const outbox = {
      insertOutboxMessage: async () => {
        throw new Error("the outbox must not be used when Twilio is configured");
      },
    };
    const gateway = createSmsGateway(config.sms, outbox, () => Date.now());
    assert.equal(gateway.name, "twilio");
    const result = await gateway.send(message);
    assert.deepEqual(result, { ok: true, providerMessageId: twilio.issuedSids[0] });
    assert.equal(local.requests[0]!.path, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.equal(new URLSearchParams(local.requests[0]!.rawBody).get("Body"), message.body);
  });
});
