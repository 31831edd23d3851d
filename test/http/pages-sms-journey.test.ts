import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage, recoveryCodesFromPage } from "../helpers/totp.js";

/**
 * SMS through the HTML pages, as a browser without JavaScript would:
 * M2 enrolment (password + mobile number validated and stored E.164, a code by
 * SMS ending in `@host #123456`, recovery codes with the first method, the
 * number shown masked afterwards and never in full), SMS codes (6 digits,
 * single use, expire after 5 minutes, bound to the login or setup that asked,
 * "Send a new code" throttled to 30 s and replacing the previous code),
 * M3 (both methods at once, the most recent is the default), and L2 (the
 * second step opens on the default method, an SMS default texts the code on
 * arrival, the user can switch to another method and back, or to a recovery
 * code; the code input is autocomplete="one-time-code" inputmode="numeric").
 */

const number = "+447400123456";
const masked = "+44 •••••••456";
/** Every way the full number could appear in a page: E.164, national, spaced. */
const fullNumberShapes = [/7400\s?123\s?456/, /07400/];

async function outbox(t: TestApp) {
  return t.deps.store.outbox.listOutboxMessages(1000);
}

/** The code of the newest text message (the 6 digits after '#' on its last line). */
async function newestCode(t: TestApp, to = number): Promise<string> {
  const [message] = await outbox(t);
  assert.ok(message, "a text message was sent");
  assert.equal(message.recipient, to);
  const match = /\n@localhost #(\d{6})$/.exec(message.body);
  assert.ok(match, `the message ends with the origin-bound line: ${message.body}`);
  return match[1]!;
}

function assertNoFullNumber(page: string) {
  for (const shape of fullNumberShapes) assert.doesNotMatch(page, shape, "the full phone number is never shown after enrolment");
}

/** Logs in (no 2FA yet) and sets up SMS through the pages; returns the recovery codes. */
async function enrolSmsByPages(t: TestApp, browser: FormClient, password: string, phoneNumber: string): Promise<{ methodId: string; recoveryCodes: string[] }> {
  t.clock.advance(1);
  let response = await browser.post("/settings/two-factor/sms", { password, phoneNumber }, { csrfFrom: "/settings/two-factor/sms" });
  assert.equal(response.statusCode, 303, response.body);
  const confirmUrl = String(response.headers.location);
  const methodId = confirmUrl.split("/").pop()!;
  t.clock.advance(1);
  response = await browser.post(confirmUrl, { code: await newestCode(t, phoneNumber) }, { csrfFrom: confirmUrl });
  assert.equal(response.statusCode, 200, response.body);
  return { methodId, recoveryCodes: recoveryCodesFromPage(response.body) };
}

describe("pages: SMS journey", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());
  // SECURITY 25 allows 5 texts an hour to one number: each test starts a new hour.
  beforeEach(() => t.clock.advance(3600));

  it("enrols SMS as the first method (recovery codes), shows the number masked, and logs in with a texted code", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const browser = new FormClient(t.app, "203.0.113.21");
    let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");

    response = await browser.get("/settings/security");
    assert.match(response.body, /href="\/settings\/two-factor\/sms"/, "M5: a reseller user is offered SMS");

    response = await browser.get("/settings/two-factor/sms");
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /name="phoneNumber" type="tel"/);
    assert.match(response.body, /autocomplete="tel"/);
    const sentBefore = (await outbox(t)).length;

    // Bad input: a clear error beside the field, nothing texted, nothing kept.
    response = await browser.post("/settings/two-factor/sms", { password: "not the password", phoneNumber: number }, { csrfFrom: "/settings/two-factor/sms" });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /That password is not correct\./);
    response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: "12345" }, { csrfFrom: "/settings/two-factor/sms" });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Enter a valid mobile number, with the country code/);
    assert.match(response.body, /id="field-phoneNumber-error"/, "the error sits beside the number field");
    response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: "+44 20 7946 0018" }, { csrfFrom: "/settings/two-factor/sms" });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /That number is not a mobile number/);
    assert.equal((await outbox(t)).length, sentBefore, "no text for bad input");
    assert.deepEqual(await t.deps.store.methods.listMethods(user.id), [], "no pending method left by bad input");

    // Password + number (typed with spaces): a pending method, one text to the E.164 number.
    response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: "+44 7400 123456" }, { csrfFrom: "/settings/two-factor/sms" });
    assert.equal(response.statusCode, 303);
    const confirmUrl = String(response.headers.location);
    assert.match(confirmUrl, /^\/settings\/two-factor\/sms\/[0-9a-f-]{36}$/);
    const methodId = confirmUrl.split("/").pop()!;
    const messages = await outbox(t);
    assert.equal(messages.length, sentBefore + 1);
    assert.equal(messages[0]!.recipient, number, "stored and sent as E.164");
    assert.match(messages[0]!.body, /^\d{6} is your twostep verification code\. It expires in 5 minutes\./);
    assert.match(messages[0]!.body, /\n\n@localhost #\d{6}$/, "ends with the origin-bound line");
    const firstCode = await newestCode(t);
    const pending = await t.deps.store.methods.findMethod(methodId);
    assert.equal(pending?.status, "pending");
    assert.equal(pending?.displayHint, masked);
    assert.ok(!pending!.secretCiphertext.toString().includes("7400123456"), "the number is encrypted at rest");

    response = await browser.get(confirmUrl);
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes(masked), "the confirm page names the masked number");
    assertNoFullNumber(response.body);
    assert.match(response.body, /autocomplete="one-time-code"/);
    assert.match(response.body, /inputmode="numeric"/);

    // Not enabled by a wrong code.
    response = await browser.post(confirmUrl, { code: firstCode === "000000" ? "000001" : "000000" }, { csrfFrom: confirmUrl });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /That code didn&#39;t work or has expired/);
    assert.equal((await t.deps.store.methods.findMethod(methodId))?.status, "pending");

    // "Send a new code": refused within 30 s, then a new code that replaces the first.
    response = await browser.post(`${confirmUrl}/resend`, {}, { csrfFrom: confirmUrl });
    assert.equal(response.headers.location, `${confirmUrl}?error=sms_resend_too_soon`);
    response = await browser.get(String(response.headers.location));
    assert.match(response.body, /A code was just sent\. Wait a moment before asking for a new one\./);
    assert.equal((await outbox(t)).length, sentBefore + 1, "the throttled resend texted nothing");
    t.clock.advance(30);
    response = await browser.post(`${confirmUrl}/resend`, {}, { csrfFrom: confirmUrl });
    assert.equal(response.headers.location, `${confirmUrl}?notice=code_sent`);
    response = await browser.get(String(response.headers.location));
    assert.match(response.body, /We sent a new code\. Only the newest code works\./);
    assert.equal((await outbox(t)).length, sentBefore + 2);
    const secondCode = await newestCode(t);
    if (secondCode !== firstCode) {
      response = await browser.post(confirmUrl, { code: firstCode }, { csrfFrom: confirmUrl });
      assert.equal(response.statusCode, 401, "the replaced code no longer works");
    }
    response = await browser.post(confirmUrl, { code: secondCode }, { csrfFrom: confirmUrl });
    assert.equal(response.statusCode, 200, response.body);
    const recoveryCodes = recoveryCodesFromPage(response.body);
    assert.equal(recoveryCodes.length, 10, "R1: recovery codes with the first method");

    // The setup page cannot be confirmed again.
    response = await browser.post(confirmUrl, { code: secondCode }, { csrfFrom: "/settings/security" });
    assert.equal(response.headers.location, "/settings/two-factor/sms?notice=enrolment_expired");

    response = await browser.get("/settings/security");
    assert.match(response.body, /status-on">Enabled/);
    assert.match(response.body, /<td>SMS<\/td>/);
    assert.match(response.body, /<span class="badge">Default<\/span>/);
    assert.ok(response.body.includes(masked), "M2: the number is shown masked on the security page");
    assertNoFullNumber(response.body);
    assert.doesNotMatch(response.body, /Add SMS codes/, "one SMS method at a time");

    response = await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.equal(response.headers.location, "/login?notice=logged_out");

    // L2: the second step opens on SMS and the code is texted on arrival.
    t.clock.advance(60);
    const beforeLogin = (await outbox(t)).length;
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/login/two-factor");
    assert.equal((await outbox(t)).length, beforeLogin + 1, "one text as the second step opens");
    const loginCode = await newestCode(t);
    response = await browser.get("/login/two-factor");
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes(`We sent a text message with a 6-digit code to <span class="nowrap">${masked}</span>`), "expected: response.body.includes(`We sent a text message with a 6-digit code to ${masked}`)");
    assertNoFullNumber(response.body);
    assert.match(response.body, /<input id="field-code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric"/);
    assert.match(response.body, /action="\/login\/two-factor\/resend"[^>]*>.*Send a new code/s);
    assert.match(response.body, /href="\/login\/recovery">Use a recovery code/);
    assert.equal((await outbox(t)).length, beforeLogin + 1, "showing the page again texts nothing");

    // Codes from the setup are bound to the setup: useless here.
    response = await browser.post("/login/two-factor", { code: secondCode === loginCode ? firstCode : secondCode }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /That code didn&#39;t work or has expired/);
    response = await browser.post("/login/two-factor", { code: loginCode }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/settings/security");
    response = await browser.get("/settings/security");
    assert.equal(response.statusCode, 200);
    assertNoFullNumber(response.body);
    assert.equal((await t.deps.store.methods.findMethod(methodId))?.lastUsedAt, t.clock.now(), "M4: last used is set by the login");

    // A recovery code is still offered and works.
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    t.clock.advance(60);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/two-factor");
    response = await browser.post("/login/recovery", { code: recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
    assert.equal(response.headers.location, "/settings/security");
    response = await browser.get("/settings/security");
    assert.match(response.body, /9<\/strong> of 10 recovery codes unused/);
  });

  it("a texted code is single use and expires after 5 minutes", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const browser = new FormClient(t.app, "203.0.113.22");
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    let response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: number }, { csrfFrom: "/settings/two-factor/sms" });
    const confirmUrl = String(response.headers.location);
    const expiring = await newestCode(t);

    t.clock.advance(5 * 60 + 1);
    response = await browser.post(confirmUrl, { code: expiring }, { csrfFrom: confirmUrl });
    assert.equal(response.statusCode, 401, "the code expired after 5 minutes");
    assert.match(response.body, /has expired/);
    response = await browser.post(`${confirmUrl}/resend`, {}, { csrfFrom: confirmUrl });
    assert.equal(response.headers.location, `${confirmUrl}?notice=code_sent`);
    t.clock.advance(4 * 60 + 50);
    response = await browser.post(confirmUrl, { code: await newestCode(t) }, { csrfFrom: confirmUrl });
    assert.equal(response.statusCode, 200, "a new code works until its own 5 minutes are up");
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // Single use: the login's code finishes one login; a second login needs its own code.
    t.clock.advance(60);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const used = await newestCode(t);
    response = await browser.post("/login/two-factor", { code: used }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    t.clock.advance(60);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const fresh = await newestCode(t);
    if (fresh !== used) {
      response = await browser.post("/login/two-factor", { code: used }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401, "a used code does not work again");
    }
    response = await browser.post("/login/two-factor", { code: fresh }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
  });

  it("with TOTP and SMS: SMS (newest) is the default; resend is throttled and replaces the code; switching to TOTP and back", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const browser = new FormClient(t.app, "203.0.113.23");
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });

    // The authenticator app first (it gets the recovery codes), then SMS as a second method.
    let response = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(response.headers.location);
    response = await browser.get(setupUrl);
    const key = keyFromSetupPage(response.body);
    response = await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(recoveryCodesFromPage(response.body).length, 10);
    response = await browser.get("/settings/security");
    assert.match(response.body, /Add SMS codes/);

    t.clock.advance(5);
    response = await browser.post("/settings/two-factor/sms", { password, phoneNumber: number }, { csrfFrom: "/settings/two-factor/sms" });
    const confirmUrl = String(response.headers.location);
    const smsMethodId = confirmUrl.split("/").pop()!;
    response = await browser.post(confirmUrl, { code: await newestCode(t) }, { csrfFrom: confirmUrl });
    assert.equal(response.statusCode, 303, "a second method brings no new recovery codes");
    assert.equal(response.headers.location, "/settings/security?notice=method_added");
    response = await browser.get("/settings/security?notice=method_added");
    assert.match(response.body, /The method is added and is now your default\./);
    assert.match(response.body, /<td>Authenticator app<\/td>/);
    assert.match(response.body, /<td>SMS<\/td>/);
    const defaultRow = /<tr>((?:(?!<\/tr>).)*<span class="badge">Default<\/span>(?:(?!<\/tr>).)*)<\/tr>/s.exec(response.body);
    assert.ok(defaultRow?.[1]!.includes("<td>SMS</td>"), "M3: the most recently enabled method is the default");
    assert.match(response.body, /10<\/strong> of 10 recovery codes unused/);
    const methods = await t.deps.store.methods.listMethods(user.id);
    const totpMethodId = methods.find((method) => method.type === "totp")!.id;
    assert.equal(methods.find((method) => method.isDefault)?.id, smsMethodId);
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // L2: opens on SMS, texts on arrival, offers the app and a recovery code.
    t.clock.advance(60);
    let sent = (await outbox(t)).length;
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/two-factor");
    assert.equal((await outbox(t)).length, ++sent);
    const firstCode = await newestCode(t);
    response = await browser.get("/login/two-factor");
    assert.ok(response.body.includes(masked), "expected: response.body.includes(masked)");
    assert.match(response.body, /name="methodId" value="[^"]+">\s*<button type="submit" class="link">Use Authenticator app<\/button>/);
    assert.match(response.body, /Use a recovery code/);

    // "Send a new code" within 30 s: refused, with the catalogue's message, nothing texted.
    response = await browser.post("/login/two-factor/resend", {}, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor?error=sms_resend_too_soon");
    response = await browser.get(String(response.headers.location));
    assert.match(response.body, /A code was just sent\. Wait a moment before asking for a new one\./);
    assert.equal((await outbox(t)).length, sent);

    // After 30 s: a new code, and the first one stops working.
    t.clock.advance(30);
    response = await browser.post("/login/two-factor/resend", {}, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor?notice=code_sent");
    assert.equal((await outbox(t)).length, ++sent);
    const secondCode = await newestCode(t);
    if (secondCode !== firstCode) {
      response = await browser.post("/login/two-factor", { code: firstCode }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401, "the replaced code fails");
    }

    // Switch to the app: nothing texted, the app's prompt, SMS offered back with the masked number.
    response = await browser.post("/login/two-factor/method", { methodId: totpMethodId }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor");
    response = await browser.get("/login/two-factor");
    assert.match(response.body, /Open your authenticator app/);
    assert.ok(response.body.includes(`Text a code to ${masked}`), "expected: response.body.includes(`Text a code to ${masked}`)");
    assert.doesNotMatch(response.body, /Send a new code/);
    assert.equal((await outbox(t)).length, sent, "switching to the app texts nothing");

    // Back to SMS at once: the code just sent is kept (no second text), and works.
    response = await browser.post("/login/two-factor/method", { methodId: smsMethodId }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor");
    response = await browser.get("/login/two-factor");
    assert.ok(response.body.includes(`We sent a text message with a 6-digit code to <span class="nowrap">${masked}</span>`), "expected: response.body.includes(`We sent a text message with a 6-digit code to ${masked}`)");
    assert.equal((await outbox(t)).length, sent, "no second text within the resend interval");

    // To the app again, and back after 30 s: a new text, which replaces the kept one.
    await browser.post("/login/two-factor/method", { methodId: totpMethodId }, { csrfFrom: "/login/two-factor" });
    t.clock.advance(30);
    response = await browser.post("/login/two-factor/method", { methodId: smsMethodId }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor");
    assert.equal((await outbox(t)).length, ++sent);
    const thirdCode = await newestCode(t);
    if (thirdCode !== secondCode) {
      response = await browser.post("/login/two-factor", { code: secondCode }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401);
    }
    response = await browser.post("/login/two-factor", { code: thirdCode }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/settings/security");
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // Logging in with the app instead: switch, then a code from the app.
    t.clock.advance(60);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal((await outbox(t)).length, ++sent);
    await browser.post("/login/two-factor/method", { methodId: totpMethodId }, { csrfFrom: "/login/two-factor" });
    response = await browser.post("/login/two-factor", { code: codeFor(key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // Another user's method cannot be chosen.
    const other = await seedUser(t.deps, { kind: "reseller" });
    const otherBrowser = new FormClient(t.app, "203.0.113.24");
    await otherBrowser.post("/login", { email: other.user.email, password: other.password }, { csrfFrom: "/login" });
    const otherMethod = await enrolSmsByPages(t, otherBrowser, other.password, "+447400654321");
    // SECURITY 25 allows 5 texts an hour to one number: start a new hour.
    t.clock.advance(3600);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    sent = (await outbox(t)).length;
    response = await browser.post("/login/two-factor/method", { methodId: otherMethod.methodId }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/login/two-factor");
    assert.equal((await outbox(t)).length, sent, "nothing texted to another user's phone");
    response = await browser.get("/login/two-factor");
    assert.ok(response.body.includes(`We sent a text message with a 6-digit code to <span class="nowrap">${masked}</span>`), "still on the user's own SMS method");
  });

  it("when the text cannot be sent on arrival, the second step says so and offers the other ways in", async () => {
    const app = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "1" } });
    try {
      const { user, password } = await seedUser(app.deps, { kind: "reseller" });
      const browser = new FormClient(app.app, "203.0.113.25");
      await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
      await browser.post("/settings/two-factor/sms", { password, phoneNumber: number }, { csrfFrom: "/settings/two-factor/sms" });
      const [message] = await app.deps.store.outbox.listOutboxMessages(1);
      const methodId = (await app.deps.store.methods.listMethods(user.id))[0]!.id;
      let response = await browser.post(`/settings/two-factor/sms/${methodId}`, { code: /#(\d{6})$/.exec(message!.body)![1]! }, { csrfFrom: `/settings/two-factor/sms/${methodId}` });
      const recoveryCodes = recoveryCodesFromPage(response.body);
      assert.equal(recoveryCodes.length, 10);
      await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

      app.clock.advance(60);
      const sent = (await app.deps.store.outbox.listOutboxMessages(100)).length;
      response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
      assert.equal(response.headers.location, "/login/two-factor?error=sms_limit_reached");
      assert.equal((await app.deps.store.outbox.listOutboxMessages(100)).length, sent, "nothing texted past the limit");
      response = await browser.get(String(response.headers.location));
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /Too many text messages were sent\. Try again later, or use another method\./);
      assert.match(response.body, /href="\/login\/recovery">Use a recovery code/);
      response = await browser.post("/login/recovery", { code: recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
      assert.equal(response.headers.location, "/settings/security");
    } finally {
      await app.close();
    }
  });
});
