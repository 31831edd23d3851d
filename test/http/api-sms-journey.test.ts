import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { ApiClient, assertApiError, type ApiResponse } from "../helpers/api-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/**
 * SMS through the JSON API (L6: the same flows as the pages):
 * M2 enrolment (password + mobile number validated, E.164, masked, a code by
 * SMS ending in `@host #123456`, recovery codes with the first method; bad
 * numbers, wrong password and wrong codes are clear 4xx errors), SMS codes
 * (6 digits, single use, expire after 5 minutes, bound to the login or setup
 * that asked, resend throttled to 30 s with 429 sms_resend_too_soon and
 * replacing the previous code), M3 (both methods; the newest is the default),
 * L2 (the second step opens on the default; an SMS default texts the code on
 * arrival and says so in `codeDelivery`; switching to TOTP and back; a code of
 * a named method; a recovery code), and that after enrolment no API response
 * carries the full number.
 */

const number = "+447400123456";
const masked = "+44 •••••••456";

async function outboxSize(t: TestApp) {
  return (await t.deps.store.outbox.listOutboxMessages(1000)).length;
}

/** The code in the newest text message, which must have gone to `to`. */
async function newestCode(t: TestApp, to = number): Promise<string> {
  const [message] = await t.deps.store.outbox.listOutboxMessages(1);
  assert.ok(message, "a text message was sent");
  assert.equal(message.recipient, to);
  const match = /\n@localhost #(\d{6})$/.exec(message.body);
  assert.ok(match, `the message ends with the origin-bound line: ${message.body}`);
  return match[1]!;
}

/** A 6-digit code different from every one given. */
function otherCode(...codes: string[]): string {
  let candidate = 0;
  while (codes.includes(String(candidate).padStart(6, "0"))) candidate++;
  return String(candidate).padStart(6, "0");
}

/** Collects every response body, so a test can prove none carries the full number. */
class Recorder {
  bodies: string[] = [];
  keep(response: ApiResponse) {
    this.bodies.push(response.raw.body);
    return response;
  }
  assertNoFullNumber() {
    for (const body of this.bodies) {
      assert.doesNotMatch(body, /7400\s?123\s?456/, `a response carried the full number: ${body.slice(0, 300)}`);
    }
  }
}

describe("api: SMS journey", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());
  // SECURITY 25 allows 5 texts an hour to one number: each test starts a new hour.
  beforeEach(() => t.clock.advance(3600));

  it("enrols SMS as the first method, then logs in with texted codes (resend throttled and replacing)", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(user.email, password);
    const sentBefore = await outboxSize(t);

    // Bad input: clear errors, nothing texted, no method.
    assertApiError(await api.post("/api/me/two-factor/sms", { password: "not the password", phoneNumber: number }, token), 401, "password_incorrect", "password");
    assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: "12345" }, token), 400, "invalid_phone_number", "phoneNumber");
    assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+44 20 7946 0018" }, token), 400, "not_a_mobile_number", "phoneNumber");
    assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+86 138 0014 8000" }, token), 400, "phone_country_not_allowed", "phoneNumber");
    assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: number, extra: 1 }, token), 400, "unknown_field");
    assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }), 401, "not_authenticated");
    assert.equal(await outboxSize(t), sentBefore);
    assert.deepEqual(await t.deps.store.methods.listMethods(user.id), []);

    // Password + number (national format, read as GB): one text to the E.164 number.
    let response = await api.post("/api/me/two-factor/sms", { password, phoneNumber: "07400 123456" }, token);
    assert.equal(response.status, 200, response.raw.body);
    const { methodId } = response.body;
    assert.equal(response.body.maskedPhone, masked);
    assert.equal(Date.parse(response.body.codeExpiresAt), t.clock.now() + 5 * 60 * 1000, "codes expire after 5 minutes by default");
    assert.equal(await outboxSize(t), sentBefore + 1);
    const [message] = await t.deps.store.outbox.listOutboxMessages(1);
    assert.equal(message!.recipient, number, "stored and sent as E.164");
    assert.match(message!.body, /\n\n@localhost #\d{6}$/);
    const firstCode = await newestCode(t);
    assert.match(firstCode, /^\d{6}$/);
    const stored = await t.deps.store.codes.findLatestSmsCode(methodId, "enrol", methodId);
    assert.ok(stored && !stored.codeHash.includes(firstCode), "the code is stored hashed, bound to this setup");

    const seen = new Recorder();
    assert.equal(seen.keep(await api.get("/api/me/security", token)).body.twoFactorEnabled, false, "pending until the code is entered");

    // Wrong and malformed codes leave it pending.
    assertApiError(seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/confirm`, { code: otherCode(firstCode) }, token)), 401, "invalid_sms_code", "code");
    assertApiError(seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/confirm`, { code: "12ab56" }, token)), 400, "invalid_code_format", "code");

    // Resend: 429 with the seconds left, then a new code that replaces the first.
    response = seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/resend`, undefined, token));
    assertApiError(response, 429, "sms_resend_too_soon");
    assert.equal(response.body.retryAfterSeconds, 30);
    t.clock.advance(10);
    response = seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/resend`, undefined, token));
    assertApiError(response, 429, "sms_resend_too_soon");
    assert.equal(response.body.retryAfterSeconds, 20);
    assert.equal(await outboxSize(t), sentBefore + 1);
    t.clock.advance(20);
    response = seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/resend`, undefined, token));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.sent, true);
    assert.equal(Date.parse(response.body.expiresAt), t.clock.now() + 300_000);
    assert.equal(await outboxSize(t), sentBefore + 2);
    const secondCode = await newestCode(t);
    if (secondCode !== firstCode) {
      assertApiError(seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/confirm`, { code: firstCode }, token)), 401, "invalid_sms_code", "code");
    }
    response = seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/confirm`, { code: secondCode }, token));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.enabled, true);
    const recoveryCodes: string[] = response.body.recoveryCodes;
    assert.equal(recoveryCodes.length, 10, "R1: recovery codes with the first method");
    assertApiError(seen.keep(await api.post(`/api/me/two-factor/sms/${methodId}/confirm`, { code: secondCode }, token)), 410, "enrolment_expired");

    response = seen.keep(await api.get("/api/me/methods", token));
    assert.equal(response.status, 200);
    assert.equal(response.body.methods.length, 1);
    const [method] = response.body.methods;
    assert.deepEqual(
      { id: method.id, type: method.type, name: method.name, isDefault: method.isDefault, displayHint: method.displayHint },
      { id: methodId, type: "sms", name: "Mobile phone", isDefault: true, displayHint: masked },
    );
    assert.equal(Date.parse(method.createdAt), t.clock.now());
    response = seen.keep(await api.get("/api/me/security", token));
    assert.equal(response.body.twoFactorEnabled, true);
    assert.deepEqual(response.body.recoveryCodes, { unused: 10, total: 10, fewLeft: false });
    seen.keep(await api.get("/api/me/events", token));

    // L2: POST /api/login opens on SMS and texts the code at once; codeDelivery says so.
    t.clock.advance(60);
    let sent = await outboxSize(t);
    response = seen.keep(await api.post("/api/login", { email: user.email, password }));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.status, "second_factor_required");
    assert.equal(response.body.currentMethodId, methodId);
    assert.deepEqual(response.body.codeDelivery, { status: "sent", expiresAt: new Date(t.clock.now() + 300_000).toISOString() });
    assert.equal(response.body.methods[0].displayHint, masked);
    assert.equal(await outboxSize(t), ++sent, "exactly one text as the second step opens");
    const flowId: string = response.body.flowId;
    const loginCode = await newestCode(t);

    // The setup's code is bound to the setup; a malformed one is refused without counting.
    assertApiError(seen.keep(await api.post("/api/login/second-factor", { flowId, code: secondCode === loginCode ? otherCode(loginCode) : secondCode })), 401, "invalid_sms_code", "code");
    assertApiError(seen.keep(await api.post("/api/login/second-factor", { flowId, code: "1234567" })), 400, "invalid_code_format", "code");

    // Resend: too soon, then after 30 s a new code; the old one fails, the new one logs in.
    response = seen.keep(await api.post("/api/login/resend", { flowId }));
    assertApiError(response, 429, "sms_resend_too_soon");
    assert.equal(response.body.retryAfterSeconds, 30);
    assert.equal(await outboxSize(t), sent);
    t.clock.advance(30);
    response = seen.keep(await api.post("/api/login/resend", { flowId }));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.sent, true);
    assert.equal(await outboxSize(t), ++sent);
    const resentCode = await newestCode(t);
    if (resentCode !== loginCode) assertApiError(seen.keep(await api.post("/api/login/second-factor", { flowId, code: loginCode })), 401, "invalid_sms_code", "code");
    response = seen.keep(await api.post("/api/login/second-factor", { flowId, code: resentCode }));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.status, "authenticated");
    const session = response.body.sessionToken as string;
    // Single use: the flow is finished, the code with it.
    assertApiError(seen.keep(await api.post("/api/login/second-factor", { flowId, code: resentCode })), 401, "login_expired");
    response = seen.keep(await api.get("/api/me/methods", session));
    assert.equal(Date.parse(response.body.methods[0].lastUsedAt), t.clock.now(), "M4: last used");

    // Bound to the login that asked: two logins, each with its own code (a new hour of send limits).
    t.clock.advance(3600);
    response = seen.keep(await api.post("/api/login", { email: user.email, password }));
    const flowA: string = response.body.flowId;
    const codeA = await newestCode(t);
    t.clock.advance(1);
    response = seen.keep(await api.post("/api/login", { email: user.email, password }));
    const flowB: string = response.body.flowId;
    assert.equal(response.body.codeDelivery.status, "sent", "another login gets its own text at once");
    const codeB = await newestCode(t);
    if (codeA !== codeB) assertApiError(seen.keep(await api.post("/api/login/second-factor", { flowId: flowB, code: codeA })), 401, "invalid_sms_code", "code");
    assert.equal(seen.keep(await api.post("/api/login/second-factor", { flowId: flowA, code: codeA })).status, 200);
    assert.equal(seen.keep(await api.post("/api/login/second-factor", { flowId: flowB, code: codeB })).status, 200);

    // A recovery code is still an option for an SMS user.
    t.clock.advance(60);
    response = seen.keep(await api.post("/api/login", { email: user.email, password }));
    response = seen.keep(await api.post("/api/login/recovery-code", { flowId: response.body.flowId, code: recoveryCodes[0] }));
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.recovery.codesLeft, 9);

    seen.assertNoFullNumber();
  });

  it("TOTP and SMS together: the newest is the default; switching methods; a TOTP default texts nothing", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    let token = await api.sessionFor(user.email, password);
    const totp = await api.enrolTotp(token, password, t.clock);
    assert.equal(totp.recoveryCodes.length, 10);

    t.clock.advance(5);
    let response = await api.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token);
    assert.equal(response.status, 200, response.raw.body);
    const smsId: string = response.body.methodId;
    response = await api.post(`/api/me/two-factor/sms/${smsId}/confirm`, { code: await newestCode(t) }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.recoveryCodes, null, "no new recovery codes with a second method");

    response = await api.get("/api/me/methods", token);
    const byType = Object.fromEntries(response.body.methods.map((method: { type: string }) => [method.type, method]));
    assert.equal(byType.totp.isDefault, false);
    assert.equal(byType.sms.isDefault, true, "M3: the most recently enabled method is the default");
    assert.equal(byType.totp.displayHint, null);
    assert.equal((await api.get("/api/me/security", token)).body.recoveryCodes.unused, 10);

    // Opens on SMS (texted); switch to TOTP: nothing texted.
    t.clock.advance(60);
    let sent = await outboxSize(t);
    response = await api.post("/api/login", { email: user.email, password });
    assert.equal(response.body.currentMethodId, smsId);
    assert.equal(response.body.codeDelivery.status, "sent");
    assert.equal(await outboxSize(t), ++sent);
    const flowId: string = response.body.flowId;
    const firstCode = await newestCode(t);
    const firstExpiry: string = response.body.codeDelivery.expiresAt;
    assert.deepEqual(response.body.methods.map((method: { id: string }) => method.id).sort(), [smsId, totp.methodId].sort());

    response = await api.post("/api/login/method", { flowId, methodId: totp.methodId });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.currentMethodId, totp.methodId);
    assert.deepEqual(response.body.codeDelivery, { status: "not_needed" });
    assert.equal(await outboxSize(t), sent);
    assertApiError(await api.post("/api/login/resend", { flowId }), 400, "invalid_request");

    // Back to SMS within 30 s: the code already sent is kept (no second text), and codeDelivery
    // still says a code was texted, with that code's expiry.
    response = await api.post("/api/login/method", { flowId, methodId: smsId });
    assert.equal(response.body.currentMethodId, smsId);
    assert.deepEqual(response.body.codeDelivery, { status: "sent", expiresAt: firstExpiry });
    assert.equal(await outboxSize(t), sent);

    // To TOTP and back after 30 s: a new text, which replaces the first code.
    await api.post("/api/login/method", { flowId, methodId: totp.methodId });
    t.clock.advance(30);
    response = await api.post("/api/login/method", { flowId, methodId: smsId });
    assert.equal(response.body.codeDelivery.status, "sent");
    assert.equal(await outboxSize(t), ++sent);
    const secondCode = await newestCode(t);
    if (secondCode !== firstCode) assertApiError(await api.post("/api/login/second-factor", { flowId, code: firstCode }), 401, "invalid_sms_code");

    // Someone else's method cannot be chosen.
    const stranger = await seedUser(t.deps, { kind: "reseller" });
    const strangerToken = await api.sessionFor(stranger.user.email, stranger.password);
    const strangerTotp = await api.enrolTotp(strangerToken, stranger.password, t.clock);
    assertApiError(await api.post("/api/login/method", { flowId, methodId: strangerTotp.methodId }), 400, "invalid_request", "methodId");
    assertApiError(await api.post("/api/login/second-factor", { flowId, code: codeFor(strangerTotp.key, t.clock.now()), methodId: strangerTotp.methodId }), 400, "invalid_request", "methodId");

    // A code of a named method works while another is current.
    response = await api.post("/api/login/second-factor", { flowId, code: codeFor(totp.key, t.clock.now()), methodId: totp.methodId });
    assert.equal(response.status, 200, response.raw.body);
    token = response.body.sessionToken;

    // TOTP made the default: the next login opens on it and texts nothing.
    assert.equal((await api.post(`/api/me/methods/${totp.methodId}/default`, undefined, token)).status, 200);
    t.clock.advance(60);
    sent = await outboxSize(t);
    response = await api.post("/api/login", { email: user.email, password });
    assert.equal(response.body.currentMethodId, totp.methodId);
    assert.deepEqual(response.body.codeDelivery, { status: "not_needed" });
    assert.equal(await outboxSize(t), sent, "L2: only an SMS default texts on arrival");
    // Switching to SMS texts the code now.
    const flow2: string = response.body.flowId;
    response = await api.post("/api/login/method", { flowId: flow2, methodId: smsId });
    assert.equal(response.body.codeDelivery.status, "sent");
    assert.equal(await outboxSize(t), ++sent);
    response = await api.post("/api/login/second-factor", { flowId: flow2, code: await newestCode(t) });
    assert.equal(response.status, 200, response.raw.body);
  });

  it("a login's code expires after 5 minutes; a new one can be sent", async () => {
    const app = await createTestApp({ env: { TWOSTEP_LOGIN_TTL_SECONDS: "900" } });
    try {
      const client = new ApiClient(app.app);
      const { user, password } = await seedUser(app.deps, { kind: "reseller" });
      const token = await client.sessionFor(user.email, password);
      let response = await client.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token);
      response = await client.post(`/api/me/two-factor/sms/${response.body.methodId}/confirm`, { code: await newestCode(app) }, token);
      assert.equal(response.status, 200);

      app.clock.advance(60);
      response = await client.post("/api/login", { email: user.email, password });
      const flowId: string = response.body.flowId;
      const code = await newestCode(app);
      app.clock.advance(5 * 60 + 1);
      assertApiError(await client.post("/api/login/second-factor", { flowId, code }), 401, "invalid_sms_code", "code");
      assert.equal((await client.post("/api/login/resend", { flowId })).status, 200);
      response = await client.post("/api/login/second-factor", { flowId, code: await newestCode(app) });
      assert.equal(response.status, 200, response.raw.body);
    } finally {
      await app.close();
    }
  });

  it("codeDelivery reports a text that could not be sent, and a recovery code still logs in", async () => {
    const app = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "2" } });
    try {
      const client = new ApiClient(app.app);
      const { user, password } = await seedUser(app.deps, { kind: "reseller" });
      const token = await client.sessionFor(user.email, password);
      let response = await client.post("/api/me/two-factor/sms", { password, phoneNumber: number }, token);
      response = await client.post(`/api/me/two-factor/sms/${response.body.methodId}/confirm`, { code: await newestCode(app) }, token);
      const recoveryCodes: string[] = response.body.recoveryCodes;

      app.clock.advance(60);
      response = await client.post("/api/login", { email: user.email, password });
      assert.equal(response.body.codeDelivery.status, "sent", "the second text to the number");
      app.clock.advance(60);
      const sent = await outboxSize(app);
      response = await client.post("/api/login", { email: user.email, password });
      assert.equal(response.status, 200, response.raw.body);
      assert.equal(response.body.status, "second_factor_required");
      const delivery = response.body.codeDelivery;
      assert.equal(delivery.status, "failed");
      assert.equal(delivery.error.code, "sms_limit_reached");
      assert.equal(typeof delivery.error.message, "string");
      assert.ok(delivery.error.retryAfterSeconds > 0 && delivery.error.retryAfterSeconds <= 3600, "expected: delivery.error.retryAfterSeconds > 0 && delivery.error.retryAfterSeconds <= 3600");
      assert.equal(await outboxSize(app), sent, "nothing texted past the limit");

      response = await client.post("/api/login/recovery-code", { flowId: response.body.flowId, code: recoveryCodes[0] });
      assert.equal(response.status, 200, response.raw.body);
    } finally {
      await app.close();
    }
  });
});
