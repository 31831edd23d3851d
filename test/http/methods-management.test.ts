import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { errorMessage, type ErrorCode } from "../../src/domain/errors.js";
import { escapeHtml } from "../../src/http/pages/html.js";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, nextCode, wrongCodeFor, type ApiResponse, type Json, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";

/**
 * M3 and M4, through the JSON API and the pages: several methods per user
 * (the newest is the default; the user makes another the default), the list
 * (name, type, default flag, created, last used), rename (incl. bad names,
 * which change nothing), reset (verify a current code of the method, set it up
 * again; the old TOTP key / old number keeps working until the new one is
 * confirmed, then only the new one works), delete (verify a current code;
 * deleting the last method disables 2FA (D1) and every recovery code dies),
 * and another user's methodId (API 404 method_not_found, pages back to the
 * security page; nothing changes). Also L2 (a TOTP default texts nothing).
 */

const oldNumber = "+447400123456";
const newNumber = "+447400654321";
const oldMasked = "+44 •••••••456";
const newMasked = "+44 •••••••321";

async function newestCode(t: ObservedTestApp, to: string): Promise<string> {
  const [message] = await t.deps.store.outbox.listOutboxMessages(1);
  assert.ok(message, "a text message was sent");
  assert.equal(message.recipient, to);
  const match = /\n@localhost #(\d{6})$/.exec(message.body);
  assert.ok(match, message.body);
  return match[1]!;
}

async function outboxSize(t: ObservedTestApp) {
  return (await t.deps.store.outbox.listOutboxMessages(1000)).length;
}

function assertPageError(response: LightMyRequestResponse, status: number, code: ErrorCode) {
  assert.equal(response.statusCode, status, response.body.slice(0, 400));
  assert.match(String(response.headers["content-type"]), /^text\/html/);
  assert.ok(response.body.includes(escapeHtml(errorMessage(code))), `the page says: ${errorMessage(code)}`);
}

describe("managing methods (M3, M4)", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());
  // SECURITY 25 allows 5 texts an hour to one number: each test starts a new hour.
  beforeEach(() => t.clock.advance(3600));

  async function patch(url: string, json: unknown, token: string): Promise<ApiResponse> {
    const raw = await t.app.inject({
      method: "PATCH",
      url,
      payload: JSON.stringify(json),
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      remoteAddress: api.clientAddress,
    });
    return { status: raw.statusCode, body: raw.body ? (JSON.parse(raw.body) as Json) : {}, headers: raw.headers, raw };
  }

  const remove = (methodId: string, code: string, token: string) => api.request("DELETE", `/api/me/methods/${methodId}`, { json: { code }, token });

  /** Adds SMS through the API for the session's user; returns the method id. */
  async function addSms(token: string, password: string, phoneNumber = oldNumber): Promise<string> {
    t.clock.advance(5);
    const begun = await api.post("/api/me/two-factor/sms", { password, phoneNumber }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const confirmed = await api.post(`/api/me/two-factor/sms/${begun.body.methodId}/confirm`, { code: await newestCode(t, phoneNumber) }, token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
    return begun.body.methodId as string;
  }

  /** A reseller user with TOTP (first: recovery codes) and then SMS (so SMS is the default). */
  async function userWithBoth(phoneNumber = oldNumber) {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(user.email, password);
    const totp = await api.enrolTotp(token, password, t.clock);
    const smsId = await addSms(token, password, phoneNumber);
    return { user, password, token, totp, smsId };
  }

  /** An API login through whatever the default method is, with `code`. */
  async function apiLogin(email: string, password: string, code: (flow: Json) => Promise<string> | string): Promise<ApiResponse> {
    t.clock.advance(30);
    const started = await api.post("/api/login", { email, password });
    assert.equal(started.body.status, "second_factor_required", started.raw.body);
    return api.post("/api/login/second-factor", { flowId: started.body.flowId, code: await code(started.body) });
  }

  it("API: lists methods, makes another the default, renames (bad names change nothing)", async () => {
    const { user, password, token, totp, smsId } = await userWithBoth();
    let response = await api.get("/api/me/methods", token);
    assert.equal(response.status, 200);
    const listed = response.body.methods as Json[];
    assert.equal(listed.length, 2);
    for (const method of listed) {
      assert.deepEqual(Object.keys(method).sort(), ["createdAt", "displayHint", "id", "isDefault", "lastUsedAt", "name", "type"]);
      assert.ok(!Number.isNaN(Date.parse(method.createdAt)), "expected: !Number.isNaN(Date.parse(method.createdAt))");
    }
    const totpRow = listed.find((method) => method.id === totp.methodId)!;
    const smsRow = listed.find((method) => method.id === smsId)!;
    assert.deepEqual([totpRow.type, totpRow.name, totpRow.isDefault, totpRow.displayHint], ["totp", "Authenticator app", false, null]);
    assert.deepEqual([smsRow.type, smsRow.name, smsRow.isDefault, smsRow.displayHint], ["sms", "Mobile phone", true, oldMasked]);
    assert.ok(Date.parse(smsRow.createdAt) > Date.parse(totpRow.createdAt), "created: when each was enabled");

    // Make the app the default: listed so, and the next login opens on it and texts nothing.
    response = await api.post(`/api/me/methods/${totp.methodId}/default`, undefined, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { ok: true });
    response = await api.get("/api/me/methods", token);
    assert.deepEqual(
      Object.fromEntries(response.body.methods.map((method: Json) => [method.type, method.isDefault])),
      { totp: true, sms: false },
    );
    assert.equal((await api.post(`/api/me/methods/${totp.methodId}/default`, undefined, token)).status, 200, "making the default the default is fine");
    const sent = await outboxSize(t);
    response = await apiLogin(user.email, password, (flow) => {
      assert.equal(flow.currentMethodId, totp.methodId);
      assert.deepEqual(flow.codeDelivery, { status: "not_needed" });
      return codeFor(totp.key, t.clock.now());
    });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(await outboxSize(t), sent, "a TOTP default texts nothing");
    response = await api.get("/api/me/methods", token);
    assert.equal(Date.parse(response.body.methods.find((method: Json) => method.type === "totp").lastUsedAt), t.clock.now(), "last used: the login");
    const events = (await api.get("/api/me/events", token)).body.events as Json[];
    assert.ok(events.some((event) => event.type === "method.made_default"), "expected: events.some((event) => event.type === \"method.made_default\")");

    // Rename: trimmed, listed.
    response = await patch(`/api/me/methods/${smsId}`, { name: "  Work phone  " }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal((await api.get("/api/me/methods", token)).body.methods.find((method: Json) => method.id === smsId).name, "Work phone");
    response = await patch(`/api/me/methods/${totp.methodId}`, { name: "Téléphone 📱 de travail" }, token);
    assert.equal(response.status, 200);
    response = await patch(`/api/me/methods/${totp.methodId}`, { name: "n".repeat(64) }, token);
    assert.equal(response.status, 200, "64 characters are fine");

    // Bad names: 400 invalid_method_name (or the schema's answer), and nothing changes.
    for (const name of ["", "   ", "n".repeat(65), "bell\u0007", "new\nline", "tab\tname"]) {
      await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${smsId}`, { name }, token), 400, "invalid_method_name", "name"));
    }
    await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${smsId}`, { name: "n".repeat(300) }, token), 400, "invalid_request", "name"));
    await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${smsId}`, {}, token), 400, "invalid_request", "name"));
    await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${smsId}`, { name: 7 }, token), 400, "invalid_request", "name"));
    await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${smsId}`, { name: "ok", isDefault: true }, token), 400, "unknown_field"));
    await assertChangesNothing(t, async () => assertApiError(await patch(`/api/me/methods/${randomUUID()}`, { name: "Ghost" }, token), 404, "method_not_found"));
    assert.equal((await api.get("/api/me/methods", token)).body.methods.find((method: Json) => method.id === smsId).name, "Work phone");
  });

  it("API: reset TOTP — the old key works until the new one is confirmed, then only the new one", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(user.email, password);
    const old = await api.enrolTotp(token, password, t.clock);

    // A current code of the method is required.
    await assertChangesNothing(t, async () => assertApiError(await api.post(`/api/me/methods/${old.methodId}/reset`, {}, token), 400, "invalid_request", "code"));
    await assertChangesNothing(t, async () => assertApiError(await api.post(`/api/me/methods/${old.methodId}/reset`, { code: "12345" }, token), 400, "invalid_code_format", "code"));
    t.clock.advance(30);
    assertApiError(await api.post(`/api/me/methods/${old.methodId}/reset`, { code: wrongCodeFor(old.key, t.clock.now()) }, token), 401, "invalid_code", "code");
    let response = await api.post(`/api/me/methods/${old.methodId}/reset`, { code: codeFor(old.key, t.clock.now()) }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.type, "totp");
    const fresh = { methodId: response.body.methodId as string, key: response.body.key as string };
    assert.notEqual(fresh.methodId, old.methodId);
    assert.notEqual(fresh.key, old.key);
    assert.match(response.body.otpauthUri, /^otpauth:\/\/totp\//);
    assert.match(response.body.qrCodePng, /^data:image\/png;base64,/);

    // Until confirmed: still the old method only; the old key logs in, the new one does not.
    response = await api.get("/api/me/methods", token);
    assert.deepEqual(response.body.methods.map((method: Json) => method.id), [old.methodId]);
    response = await apiLogin(user.email, password, () => codeFor(fresh.key, t.clock.now()));
    assertApiError(response, 401, "invalid_code", "code");
    response = await apiLogin(user.email, password, () => codeFor(old.key, t.clock.now()));
    assert.equal(response.status, 200, "the old app keeps working until the new one is confirmed");

    // Confirm the new key: no new recovery codes; the old key is dead.
    t.clock.advance(30);
    assertApiError(await api.post(`/api/me/two-factor/totp/${fresh.methodId}/confirm`, { code: codeFor(old.key, t.clock.now()) }, token), 401, "invalid_code", "code");
    response = await api.post(`/api/me/two-factor/totp/${fresh.methodId}/confirm`, { code: codeFor(fresh.key, t.clock.now()) }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { enabled: true, recoveryCodes: null });
    response = await api.get("/api/me/methods", token);
    assert.deepEqual(
      response.body.methods.map((method: Json) => [method.id, method.type, method.isDefault]),
      [[fresh.methodId, "totp", true]],
    );
    assert.deepEqual((await api.get("/api/me/security", token)).body.recoveryCodes, { unused: 10, total: 10, fewLeft: false }, "a reset keeps the recovery codes");
    response = await apiLogin(user.email, password, () => codeFor(old.key, t.clock.now()));
    assertApiError(response, 401, "invalid_code", "code");
    response = await apiLogin(user.email, password, () => codeFor(fresh.key, t.clock.now()));
    assert.equal(response.status, 200, "only the new key works now");
    const events = (await api.get("/api/me/events", response.body.sessionToken)).body.events as Json[];
    assert.ok(events.some((event) => event.type === "method.reset"), "expected: events.some((event) => event.type === \"method.reset\")");
  });

  it("API: reset SMS to a new number — the old number works until the new one is confirmed", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const token = await api.sessionFor(user.email, password);
    const oldId = await addSms(token, password);

    // The new number is required; and a code is texted to the current number first.
    await assertChangesNothing(t, async () => assertApiError(await api.post(`/api/me/methods/${oldId}/reset`, { code: "123456" }, token), 400, "invalid_phone_number", "phoneNumber"));
    assertApiError(await api.post(`/api/me/methods/${oldId}/reset`, { code: "123456", phoneNumber: newNumber }, token), 401, "invalid_sms_code", "code");
    t.clock.advance(1);
    let response = await api.post(`/api/me/methods/${oldId}/send-code`, undefined, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.sent, true);
    const verifyCode = await newestCode(t, oldNumber);
    assertApiError(await api.post(`/api/me/methods/${oldId}/send-code`, undefined, token), 429, "sms_resend_too_soon");

    // A bad new number is refused before the code is spent: the same code then works.
    response = await api.post(`/api/me/methods/${oldId}/reset`, { code: verifyCode, phoneNumber: "12345" }, token);
    assertApiError(response, 400, "invalid_phone_number", "phoneNumber");
    t.clock.advance(1);
    response = await api.post(`/api/me/methods/${oldId}/reset`, { code: verifyCode, phoneNumber: "+44 7400 654321" }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.type, "sms");
    assert.equal(response.body.maskedPhone, newMasked);
    const newId: string = response.body.methodId;
    const setupCode = await newestCode(t, newNumber);
    assert.ok(!response.raw.body.includes("654321"), "expected: !response.raw.body.includes(\"654321\")");

    // Until confirmed, logins text the old number, and its code works.
    response = await api.get("/api/me/methods", token);
    assert.deepEqual(response.body.methods.map((method: Json) => [method.id, method.displayHint]), [[oldId, oldMasked]]);
    response = await apiLogin(user.email, password, async (flow) => {
      assert.equal(flow.currentMethodId, oldId);
      return newestCode(t, oldNumber);
    });
    assert.equal(response.status, 200, response.raw.body);

    // Confirmed: only the new number.
    response = await api.post(`/api/me/two-factor/sms/${newId}/confirm`, { code: setupCode }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { enabled: true, recoveryCodes: null });
    response = await api.get("/api/me/methods", token);
    assert.deepEqual(response.body.methods.map((method: Json) => [method.id, method.type, method.isDefault, method.displayHint]), [[newId, "sms", true, newMasked]]);
    response = await apiLogin(user.email, password, async (flow) => {
      assert.equal(flow.currentMethodId, newId);
      assert.equal(flow.methods[0].displayHint, newMasked);
      return newestCode(t, newNumber);
    });
    assert.equal(response.status, 200, "the new number's code logs in");
  });

  it("API: delete with a current code; deleting the last method disables 2FA and kills every recovery code", async () => {
    const { user, password, token, totp, smsId } = await userWithBoth();

    await assertChangesNothing(t, async () => assertApiError(await api.request("DELETE", `/api/me/methods/${smsId}`, { json: {}, token }), 400, "invalid_code_format", "code"));
    assertApiError(await remove(smsId, "123456", token), 401, "invalid_sms_code", "code");
    assertApiError(await api.post(`/api/me/methods/${totp.methodId}/send-code`, undefined, token), 400, "invalid_request");
    t.clock.advance(1);
    assert.equal((await api.post(`/api/me/methods/${smsId}/send-code`, undefined, token)).status, 200);
    const verifyCode = await newestCode(t, oldNumber);
    // The texted code belongs to this session's "verify": the app's code is no substitute for it.
    assertApiError(await remove(smsId, nextCode(totp.key, t.clock), token), 401, "invalid_sms_code", "code");
    let response = await remove(smsId, verifyCode, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { deleted: true, twoFactorDisabled: false });
    assertApiError(await remove(smsId, verifyCode, token), 404, "method_not_found");

    response = await api.get("/api/me/security", token);
    assert.equal(response.body.twoFactorEnabled, true);
    assert.deepEqual(response.body.methods.map((method: Json) => [method.id, method.isDefault]), [[totp.methodId, true]], "the remaining method becomes the default");
    assert.equal(response.body.recoveryCodes.unused, 10);
    assert.ok(((await api.get("/api/me/events", token)).body.events as Json[]).some((event) => event.type === "method.removed"), "expected: ((await api.get(\"/api/me/events\", token)).body.events as Json[]).some((event) => event.type === \"method.removed\")");

    // The last one: a wrong code changes nothing but the failure counter; a right one turns 2FA off.
    t.clock.advance(30);
    assertApiError(await remove(totp.methodId, wrongCodeFor(totp.key, t.clock.now()), token), 401, "invalid_code", "code");
    response = await remove(totp.methodId, codeFor(totp.key, t.clock.now()), token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { deleted: true, twoFactorDisabled: true });
    response = await api.get("/api/me/security", token);
    assert.equal(response.status, 200, "this session stays");
    assert.equal(response.body.twoFactorEnabled, false);
    assert.deepEqual(response.body.methods, []);
    assert.deepEqual(response.body.recoveryCodes, { unused: 0, total: 0, fewLeft: false });
    assert.ok(((await api.get("/api/me/events", token)).body.events as Json[]).some((event) => event.type === "two_factor.disabled"), "expected: ((await api.get(\"/api/me/events\", token)).body.events as Json[]).some((event) => event.type === \"two_factor.disabled\")");

    // The password alone logs in now.
    await api.sessionFor(user.email, password);

    // The old recovery codes stay dead when 2FA is turned on again.
    t.clock.advance(30);
    const again = await api.enrolTotp(token, password, t.clock);
    t.clock.advance(30);
    let flow = await api.post("/api/login", { email: user.email, password });
    assertApiError(await api.post("/api/login/recovery-code", { flowId: flow.body.flowId, code: totp.recoveryCodes[0] }), 401, "invalid_recovery_code", "code");
    assertApiError(await api.post("/api/login/recovery-code", { flowId: flow.body.flowId, code: totp.recoveryCodes[9] }), 401, "invalid_recovery_code", "code");
    response = await api.post("/api/login/recovery-code", { flowId: flow.body.flowId, code: again.recoveryCodes[0] });
    assert.equal(response.status, 200, response.raw.body);
  });

  it("API: another user's methodId is 404 method_not_found everywhere, and nothing changes", async () => {
    const alice = await userWithBoth(oldNumber);
    const bob = await userWithBoth(newNumber);
    // Alice starts a reset of her app: the new method is pending.
    t.clock.advance(30);
    const reset = await api.post(`/api/me/methods/${alice.totp.methodId}/reset`, { code: codeFor(alice.totp.key, t.clock.now()) }, alice.token);
    assert.equal(reset.status, 200, reset.raw.body);
    const pendingOfAlice = reset.body.methodId as string;
    t.clock.advance(60);
    for (const foreign of [bob.totp.methodId, bob.smsId, randomUUID(), "not-a-uuid"]) {
      await assertChangesNothing(t, async () => {
        assertApiError(await patch(`/api/me/methods/${foreign}`, { name: "Mine now" }, alice.token), 404, "method_not_found");
        assertApiError(await api.post(`/api/me/methods/${foreign}/default`, undefined, alice.token), 404, "method_not_found");
        assertApiError(await api.post(`/api/me/methods/${foreign}/reset`, { code: codeFor(bob.totp.key, t.clock.now()), phoneNumber: oldNumber }, alice.token), 404, "method_not_found");
        assertApiError(await remove(foreign, codeFor(bob.totp.key, t.clock.now()), alice.token), 404, "method_not_found");
        // Nothing is texted to someone else's phone.
        assertApiError(await api.post(`/api/me/methods/${foreign}/send-code`, undefined, alice.token), 404, "method_not_found");
      });
    }
    // A method still being set up is not a method to manage yet.
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post(`/api/me/methods/${pendingOfAlice}/default`, undefined, alice.token), 404, "method_not_found");
      assertApiError(await remove(pendingOfAlice, "123456", alice.token), 404, "method_not_found");
    });
    const bobs = (await api.get("/api/me/methods", bob.token)).body.methods as Json[];
    assert.deepEqual(bobs.map((method) => [method.name, method.isDefault]).sort(), [["Authenticator app", false], ["Mobile phone", true]]);
  });

  describe("pages", () => {
    /** Logs a browser in: the default method is SMS (texted on arrival) or TOTP. */
    async function browserFor(email: string, password: string, code: () => Promise<string> | string, address: string): Promise<FormClient> {
      const browser = new FormClient(t.app, address);
      t.clock.advance(30);
      let response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
      if (response.headers.location === "/login/two-factor") response = await browser.post("/login/two-factor", { code: await code() }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.headers.location, "/settings/security");
      return browser;
    }

    it("make default and rename (bad names, escaped), and another user's methodId goes back to the security page", async () => {
      const { user, password, totp, smsId } = await userWithBoth(oldNumber);
      const bob = await userWithBoth(newNumber);
      const browser = await browserFor(user.email, password, () => newestCode(t, oldNumber), "203.0.113.31");

      let response = await browser.get("/settings/security");
      assert.match(response.body, /<th scope="col">Name<\/th><th scope="col">Type<\/th><th scope="col">Default<\/th><th scope="col">Added<\/th><th scope="col">Last used<\/th>/);
      assert.ok(response.body.includes(`action="/settings/methods/${totp.methodId}/default"`), "the non-default method can be made the default");
      assert.ok(!response.body.includes(`action="/settings/methods/${smsId}/default"`), "the default has no such button");
      for (const id of [totp.methodId, smsId]) {
        for (const action of ["rename", "reset", "delete"]) assert.ok(response.body.includes(`href="/settings/methods/${id}/${action}"`), "expected: response.body.includes(`href=\"/settings/methods/${id}/${action}\"`)");
      }

      response = await browser.post(`/settings/methods/${totp.methodId}/default`, {}, { csrfFrom: "/settings/security" });
      assert.equal(response.headers.location, "/settings/security?notice=default_changed");
      response = await browser.get("/settings/security?notice=default_changed");
      assert.match(response.body, /Your default method is changed\./);
      assert.ok(response.body.includes(`action="/settings/methods/${smsId}/default"`), "expected: response.body.includes(`action=\"/settings/methods/${smsId}/default\"`)");
      assert.equal((await t.deps.store.methods.findMethod(totp.methodId))?.isDefault, true);
      assert.equal((await t.deps.store.methods.findMethod(smsId))?.isDefault, false);

      // Rename: the form shows the current name; bad names are refused beside the field.
      const renameUrl = `/settings/methods/${smsId}/rename`;
      response = await browser.get(renameUrl);
      assert.match(response.body, /name="name" type="text" value="Mobile phone"/);
      for (const name of ["", "   ", "n".repeat(65), "tab\tname"]) {
        const csrf = await browser.csrfFor(renameUrl);
        await assertChangesNothing(t, async () => assertPageError(await browser.post(renameUrl, { name }, { csrf }), 400, "invalid_method_name"));
      }
      response = await browser.post(renameUrl, { name: "<b>Work</b> phone" }, { csrfFrom: renameUrl });
      assert.equal(response.headers.location, "/settings/security?notice=method_renamed");
      response = await browser.get("/settings/security?notice=method_renamed");
      assert.match(response.body, /The method is renamed\./);
      assert.ok(response.body.includes("&lt;b&gt;Work&lt;/b&gt; phone"), "the name is escaped");
      assert.ok(!response.body.includes("<b>Work</b>"), "expected: !response.body.includes(\"<b>Work</b>\")");
      response = await browser.post(renameUrl, { name: "No token" }, { csrf: null });
      assert.equal(response.statusCode, 403, "CSRF is required");

      // Bob's methods: every page and action sends Alice back, and nothing changes.
      for (const foreign of [bob.totp.methodId, bob.smsId]) {
        for (const page of ["rename", "reset", "delete"]) {
          response = await browser.get(`/settings/methods/${foreign}/${page}`);
          assert.equal(response.statusCode, 303);
          assert.equal(response.headers.location, "/settings/security");
        }
        const csrf = await browser.csrfFor("/settings/security");
        await assertChangesNothing(t, async () => {
          for (const [action, fields] of [
            ["default", {}],
            ["rename", { name: "Mine now" }],
            ["reset", { code: codeFor(bob.totp.key, t.clock.now()), phoneNumber: oldNumber }],
            ["delete", { code: codeFor(bob.totp.key, t.clock.now()) }],
          ] as const) {
            response = await browser.post(`/settings/methods/${foreign}/${action}`, fields, { csrf });
            assert.equal(response.statusCode, 303, `${action}: ${response.body.slice(0, 200)}`);
            assert.equal(response.headers.location, "/settings/security", action);
          }
        });
        const sent = await outboxSize(t);
        response = await browser.post(`/settings/methods/${foreign}/send-code`, { next: "delete" }, { csrf });
        assert.equal(response.headers.location, `/settings/methods/${foreign}/delete?error=method_not_found`);
        assert.equal(await outboxSize(t), sent, "nothing texted to Bob");
      }
      const bobs = await t.deps.store.methods.listMethods(bob.user.id);
      assert.deepEqual(bobs.map((method) => [method.name, method.isDefault]).sort(), [["Authenticator app", false], ["Mobile phone", true]]);
    });

    it("reset TOTP: the old app works until the new key is confirmed, then only the new key", async () => {
      const { user, password } = await seedUser(t.deps, { kind: "reseller" });
      const token = await api.sessionFor(user.email, password);
      const old = await api.enrolTotp(token, password, t.clock);
      const browser = await browserFor(user.email, password, () => codeFor(old.key, t.clock.now()), "203.0.113.32");

      const resetUrl = `/settings/methods/${old.methodId}/reset`;
      let response = await browser.get(resetUrl);
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /Your current app keeps working until the new one is confirmed/);
      assert.match(response.body, /autocomplete="one-time-code" inputmode="numeric"/);
      assert.doesNotMatch(response.body, /name="phoneNumber"/);
      assert.doesNotMatch(response.body, /Text me a code/);
      t.clock.advance(30);
      assertPageError(await browser.post(resetUrl, { code: wrongCodeFor(old.key, t.clock.now()) }, { csrfFrom: resetUrl }), 401, "invalid_code");
      response = await browser.post(resetUrl, { code: codeFor(old.key, t.clock.now()) }, { csrfFrom: resetUrl });
      assert.equal(response.statusCode, 303);
      const setupUrl = String(response.headers.location);
      assert.match(setupUrl, /^\/settings\/two-factor\/setup\/[0-9a-f-]{36}$/);
      response = await browser.get(setupUrl);
      const newKey = keyFromSetupPage(response.body);
      assert.notEqual(newKey, old.key);

      // The old app still logs in; the new key does not yet.
      assertApiError(await apiLogin(user.email, password, () => codeFor(newKey, t.clock.now())), 401, "invalid_code");
      assert.equal((await apiLogin(user.email, password, () => codeFor(old.key, t.clock.now()))).status, 200);

      t.clock.advance(30);
      response = await browser.post(setupUrl, { code: codeFor(newKey, t.clock.now()) }, { csrfFrom: setupUrl });
      assert.equal(response.headers.location, "/settings/security?notice=method_reset");
      response = await browser.get("/settings/security?notice=method_reset");
      assert.match(response.body, /The method is reset: only the new one works now\./);
      assert.match(response.body, /10<\/strong> of 10 recovery codes unused/);
      assert.deepEqual((await t.deps.store.methods.listMethods(user.id)).map((method) => [method.id, method.status]), [[setupUrl.split("/").pop(), "active"]]);

      assertApiError(await apiLogin(user.email, password, () => codeFor(old.key, t.clock.now())), 401, "invalid_code");
      assert.equal((await apiLogin(user.email, password, () => codeFor(newKey, t.clock.now()))).status, 200, "only the new key works now");
    });

    it("reset SMS to a new number, delete SMS with a texted code, delete the last method (2FA off, recovery codes dead)", async () => {
      const { user, password, totp, smsId } = await userWithBoth(oldNumber);
      const browser = await browserFor(user.email, password, () => newestCode(t, oldNumber), "203.0.113.33");

      // Reset: text a code to the current number, then the code and the new number.
      const resetUrl = `/settings/methods/${smsId}/reset`;
      let response = await browser.get(resetUrl);
      assert.match(response.body, /Your current number keeps working until the new one is confirmed/);
      assert.ok(response.body.includes(oldMasked), "expected: response.body.includes(oldMasked)");
      assert.match(response.body, /name="phoneNumber" type="tel"/);
      t.clock.advance(1);
      response = await browser.post(`/settings/methods/${smsId}/send-code`, { next: "reset" }, { csrfFrom: resetUrl });
      assert.equal(response.headers.location, `${resetUrl}?notice=code_sent`);
      const verifyCode = await newestCode(t, oldNumber);
      response = await browser.post(`/settings/methods/${smsId}/send-code`, { next: "reset" }, { csrfFrom: resetUrl });
      assert.equal(response.headers.location, `${resetUrl}?error=sms_resend_too_soon`);
      response = await browser.get(String(response.headers.location));
      assert.match(response.body, /A code was just sent/);

      assertPageError(await browser.post(resetUrl, { code: verifyCode, phoneNumber: "" }, { csrfFrom: resetUrl }), 400, "invalid_phone_number");
      t.clock.advance(1);
      response = await browser.post(resetUrl, { code: verifyCode, phoneNumber: newNumber }, { csrfFrom: resetUrl });
      assert.equal(response.statusCode, 303, response.body.slice(0, 500));
      const confirmUrl = String(response.headers.location);
      assert.match(confirmUrl, /^\/settings\/two-factor\/sms\/[0-9a-f-]{36}$/);
      const setupCode = await newestCode(t, newNumber);
      response = await browser.get(confirmUrl);
      assert.ok(response.body.includes(newMasked), "expected: response.body.includes(newMasked)");
      assert.ok(!response.body.includes("654321"), "expected: !response.body.includes(\"654321\")");

      // Until confirmed, the old number still logs in (the default is SMS: texted on arrival).
      assert.equal((await apiLogin(user.email, password, () => newestCode(t, oldNumber))).status, 200);
      response = await browser.post(confirmUrl, { code: setupCode }, { csrfFrom: confirmUrl });
      assert.equal(response.headers.location, "/settings/security?notice=method_reset");
      response = await browser.get("/settings/security");
      assert.ok(response.body.includes(newMasked), "expected: response.body.includes(newMasked)");
      assert.ok(!response.body.includes(oldMasked), "expected: !response.body.includes(oldMasked)");
      assert.doesNotMatch(response.body, /7400\s?654\s?321|7400\s?123\s?456/);
      const newSmsId = (await t.deps.store.methods.listMethods(user.id)).find((method) => method.type === "sms")!.id;
      assert.notEqual(newSmsId, smsId);
      assert.equal((await apiLogin(user.email, password, () => newestCode(t, newNumber))).status, 200, "now the new number's code");

      // Delete SMS: a texted code of that method.
      const deleteUrl = `/settings/methods/${newSmsId}/delete`;
      response = await browser.get(deleteUrl);
      assert.match(response.body, /You will no longer be able to log in with this method\./);
      assertPageError(await browser.post(deleteUrl, { code: "123456" }, { csrfFrom: deleteUrl }), 401, "invalid_sms_code");
      t.clock.advance(1);
      response = await browser.post(`/settings/methods/${newSmsId}/send-code`, { next: "delete" }, { csrfFrom: deleteUrl });
      assert.equal(response.headers.location, `${deleteUrl}?notice=code_sent`);
      response = await browser.get(String(response.headers.location));
      assert.match(response.body, /We sent a new code/);
      response = await browser.post(deleteUrl, { code: await newestCode(t, newNumber) }, { csrfFrom: deleteUrl });
      assert.equal(response.headers.location, "/settings/security?notice=method_deleted");
      response = await browser.get("/settings/security?notice=method_deleted");
      assert.match(response.body, /The method was deleted\./);
      assert.match(response.body, /status-on">Enabled/);
      assert.doesNotMatch(response.body, /<td>SMS<\/td>/);
      assert.match(response.body, /<span class="badge">Default<\/span>/, "the app is the default now");

      // Delete the last method: warned, then 2FA is off and every recovery code dies.
      const lastUrl = `/settings/methods/${totp.methodId}/delete`;
      response = await browser.get(lastUrl);
      assert.match(response.body, /This is your only method: deleting it disables two-factor authentication, and every recovery code stops working\./);
      t.clock.advance(30);
      assertPageError(await browser.post(lastUrl, { code: wrongCodeFor(totp.key, t.clock.now()) }, { csrfFrom: lastUrl }), 401, "invalid_code");
      response = await browser.post(lastUrl, { code: codeFor(totp.key, t.clock.now()) }, { csrfFrom: lastUrl });
      assert.equal(response.headers.location, "/settings/security?notice=two_factor_disabled");
      response = await browser.get("/settings/security?notice=two_factor_disabled");
      assert.equal(response.statusCode, 200, "this session stays");
      assert.match(response.body, /Two-factor authentication is disabled\./);
      assert.match(response.body, /status-off">Disabled/);
      assert.deepEqual(await t.deps.store.methods.listMethods(user.id), []);
      assert.equal((await t.deps.store.codes.findRecoveryCodes(user.id))?.codes.length ?? 0, 0, "no recovery code is left");

      // Enabled again: the old recovery codes still do not work.
      const token = await api.sessionFor(user.email, password);
      const again = await api.enrolTotp(token, password, t.clock);
      t.clock.advance(30);
      const login = new FormClient(t.app, "203.0.113.34");
      response = await login.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
      assert.equal(response.headers.location, "/login/two-factor");
      assertPageError(await login.post("/login/recovery", { code: totp.recoveryCodes[0]! }, { csrfFrom: "/login/recovery" }), 401, "invalid_recovery_code");
      response = await login.post("/login/recovery", { code: again.recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
      assert.equal(response.headers.location, "/settings/security");
    });
  });
});
