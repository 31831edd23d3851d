/**
 * Threat: "OTPs in API responses or logs" (SECURITY, bypasses seen in real
 * products) — for SMS. Whoever reads the request log, the service log, the
 * event log or an API answer (an operator, a log pipeline, a support tool,
 * an attacker who got into any of them) must not find a texted code, nor the
 * user's full phone number. The riskiest moment is a failed send, where it is
 * tempting to log the message: twostep logs the failure (gateway, message id,
 * reason) without the code or number, retires the code that never arrived,
 * and shows the user a clear message (502 sms_send_failed on the API; the
 * catalogue's text on the pages). The text itself ends with the origin-bound
 * line `@host #code`, and the code fields ask for one-time-code autofill.
 * Covers SECURITY 34, 26 (and 18's "never logged", for SMS).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SmsGateway, SmsMessage } from "../../src/services/deps.js";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiPost, apiSessionFor } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { allTexts, codeOf, enrolSms, gbMobile, oneCodeDuring, phoneSpellings, wrongSmsCode } from "../helpers/sms.js";

/** A 6-digit code as its own number: not a piece of a timestamp, an id or a longer digit run. */
function mentionsCode(text: string, code: string): boolean {
  return new RegExp(`(?<![\\d.])${code}(?!\\d)`).test(text);
}

/** Every log line, event and body that mentions a code or a phone number, for a readable failure. */
function leaks(texts: string[], codes: Iterable<string>, phones: Iterable<string>): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const code of codes) if (mentionsCode(text, code)) found.push(`code ${code} in: ${text}`);
    for (const phone of phones) for (const spelling of phoneSpellings(phone)) if (text.includes(spelling)) found.push(`number ${spelling} in: ${text}`);
  }
  return found;
}

/** A gateway that refuses every message, keeping what it was given (so the test knows the codes that must not leak). */
function failingGateway(): SmsGateway & { given: SmsMessage[] } {
  const given: SmsMessage[] = [];
  return {
    name: "test-failing",
    given,
    async send(message) {
      given.push(message);
      return { ok: false, transient: false, reason: "carrier rejected the destination" };
    },
  };
}

const sendFailedMessage = /We could not send the text message\. Try again in a moment, or use another method\./;

describe("security: no SMS code or phone number in logs, events or answers", () => {
  let t: TestApp;
  before(async () => {
    // Limits high enough for a whole journey on one number (the toll-fraud limits have their own test).
    t = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "100", TWOSTEP_SMS_LIMIT_PER_USER: "100", TWOSTEP_SMS_LIMIT_PER_ADDRESS: "100" } });
  });
  after(() => t.close());

  const everyLogLine = () => [...t.logLines, ...t.logger.lines];
  async function eventsOf(userId: string): Promise<string[]> {
    return (await t.deps.store.events.listEvents({ subjectUserId: userId, limit: 1000 })).map((event) => JSON.stringify(event));
  }

  it("setup, login, wrong codes, resends and a number change (pages and API) log no code and no number", async () => {
    const phone = gbMobile(0);
    const newPhone = gbMobile(1);
    const { user, password } = await seedUser(t.deps);
    const apiBodies: string[] = [];
    const keep = <T extends { body: string }>(response: T) => (apiBodies.push(response.body), response);

    // Setup through the pages: a wrong code first, then the right one.
    const browser = new FormClient(t.app, "203.0.113.81");
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await oneCodeDuring(t.deps, () => browser.post("/settings/two-factor/sms", { password, phoneNumber: phone }, { csrfFrom: "/settings/two-factor/sms" }), phone);
    const setupUrl = setup.result.headers.location as string;
    assert.equal((await browser.post(setupUrl, { code: wrongSmsCode(setup.code) }, { csrfFrom: setupUrl })).statusCode, 401);
    assert.equal((await browser.post(setupUrl, { code: setup.code }, { csrfFrom: setupUrl })).statusCode, 200);

    // API login: a wrong code, a resend, the right code.
    t.clock.advance(31);
    const login = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", { email: user.email, password }, { address: "198.51.100.81" }));
    const flowId = keep(login.result).json().flowId as string;
    keep(await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongSmsCode(login.code) }, { address: "198.51.100.81" }));
    t.clock.advance(31);
    const resent = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login/resend", { flowId }, { address: "198.51.100.81" }));
    keep(resent.result);
    keep(await apiPost(t.app, "/api/login/second-factor", { flowId, code: login.code }, { address: "198.51.100.81" })); // the replaced code
    const session = keep(await apiPost(t.app, "/api/login/second-factor", { flowId, code: resent.code }, { address: "198.51.100.81" }));
    assert.equal(session.statusCode, 200);
    const token = session.json().sessionToken as string;

    // Page login with a resend.
    const second = new FormClient(t.app, "203.0.113.82");
    await second.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    t.clock.advance(31);
    const pageResent = await oneCodeDuring(t.deps, () => second.post("/login/two-factor/resend", {}, { csrfFrom: "/login/two-factor" }));
    assert.equal((await second.post("/login/two-factor", { code: pageResent.code }, { csrfFrom: "/login/two-factor" })).headers.location, "/settings/security");

    // Change the number (verify code, reset, confirm), and look at the methods through the API.
    const methodId = keep(await apiGet(t.app, "/api/me/methods", { token })).json().methods[0].id as string;
    const verify = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${methodId}/send-code`, {}, { token }));
    keep(verify.result);
    const reset = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${methodId}/reset`, { code: verify.code, phoneNumber: newPhone }, { token }), newPhone);
    keep(reset.result);
    keep(await apiPost(t.app, `/api/me/two-factor/sms/${reset.result.json().methodId}/confirm`, { code: reset.code }, { token }));
    keep(await apiGet(t.app, "/api/me/methods", { token }));
    keep(await apiGet(t.app, "/api/me/security", { token }));

    const codes = (await allTexts(t.deps)).map(codeOf);
    assert.ok(codes.length >= 6, "the journey texted codes");
    assert.deepEqual(leaks(everyLogLine(), codes, [phone, newPhone]), [], "the logs hold no code and no number");
    assert.deepEqual(leaks(await eventsOf(user.id), codes, [phone, newPhone]), [], "the event log holds no code and no number");
    assert.deepEqual(leaks(apiBodies, codes, [phone, newPhone]), [], "no API answer holds a code or the full number");
    assert.ok(apiBodies.some((body) => body.includes("+44 •••••••457")), "the API shows the masked number only");
    assert.ok(t.logger.lines.some((line) => line.includes('"event":"sms.sent"')), "sends are logged (without their code)");
    assert.ok(t.logLines.some((line) => line.includes("/api/login/resend")), "the request log was captured too");
  });

  it("a failed send: 502 sms_send_failed and a clear page message, logged without the code or number, and the code is retired", async () => {
    const user = await enrolSms(t.deps, { phone: gbMobile(2) });
    const working = t.deps.sms;
    const broken = failingGateway();
    const serviceLogStart = t.logger.lines.length;
    const requestLogStart = t.logLines.length;
    t.deps.sms = broken;
    let flowId: string;
    try {
      // API login: the second step opens, saying the text could not be sent.
      const login = await apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address: "198.51.100.83" });
      assert.equal(login.statusCode, 200, login.body);
      const delivery = login.json().codeDelivery;
      assert.equal(delivery.status, "failed");
      assert.equal(delivery.error.code, "sms_send_failed");
      assert.match(delivery.error.message, sendFailedMessage);
      flowId = login.json().flowId as string;

      // The failed code was retired: "send a new code" is allowed at once (no 30 s wait), and fails clearly again.
      const resend = await apiPost(t.app, "/api/login/resend", { flowId }, { address: "198.51.100.83" });
      assert.equal(resend.statusCode, 502, resend.body);
      assert.equal(resend.json().code, "sms_send_failed");
      assert.match(resend.json().message, sendFailedMessage);

      // A code that was never delivered does not work (whoever saw it on the way).
      const undelivered = codeOf(broken.given.at(-1)!);
      const tried = await apiPost(t.app, "/api/login/second-factor", { flowId, code: undelivered }, { address: "198.51.100.83" });
      assert.equal(tried.statusCode, 401);
      assert.equal(tried.json().code, "invalid_sms_code");

      // Pages: the second step shows the message; so does "Send a new code".
      const browser = new FormClient(t.app, "203.0.113.83");
      const started = await browser.post("/login", { email: user.user.email, password: user.password }, { csrfFrom: "/login" });
      assert.equal(started.headers.location, "/login/two-factor?error=sms_send_failed");
      const page = await browser.get(started.headers.location as string);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, sendFailedMessage);
      const pageResend = await browser.post("/login/two-factor/resend", {}, { csrfFrom: "/login/two-factor" });
      assert.equal(pageResend.headers.location, "/login/two-factor?error=sms_send_failed");

      // Setup: API and page refuse with the same message, and keep no half-made method.
      const { user: newcomer, password } = await seedUser(t.deps);
      const token = await apiSessionFor(t.app, { email: newcomer.email, password }, "198.51.100.84");
      const setup = await apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(3) }, { token, address: "198.51.100.84" });
      assert.equal(setup.statusCode, 502, setup.body);
      assert.equal(setup.json().code, "sms_send_failed");
      assert.deepEqual(await t.deps.store.methods.listMethods(newcomer.id), []);
      const setupBrowser = new FormClient(t.app, "203.0.113.84");
      await setupBrowser.post("/login", { email: newcomer.email, password }, { csrfFrom: "/login" });
      const setupPage = await setupBrowser.post("/settings/two-factor/sms", { password, phoneNumber: gbMobile(3) }, { csrfFrom: "/settings/two-factor/sms" });
      assert.equal(setupPage.statusCode, 502);
      assert.match(setupPage.body, sendFailedMessage);
    } finally {
      t.deps.sms = working;
    }

    // Every failure is logged, with the reason, and none with a code or the number.
    const failures = t.logger.lines.slice(serviceLogStart).filter((line) => line.includes('"event":"sms.send_failed"'));
    assert.equal(failures.length, broken.given.length, "one log line per failed send");
    for (const line of failures) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(entry.reason, "carrier rejected the destination");
      assert.equal(entry.gateway, "test-failing");
      assert.equal(typeof entry.messageId, "string");
    }
    const undeliveredCodes = broken.given.map(codeOf);
    const newLines = [...t.logger.lines.slice(serviceLogStart), ...t.logLines.slice(requestLogStart)];
    assert.deepEqual(leaks(newLines, undeliveredCodes, [gbMobile(2), gbMobile(3)]), []);
    assert.deepEqual(leaks(await eventsOf(user.user.id), undeliveredCodes, [gbMobile(2)]), []);

    // With the gateway back, the user can ask for a code at once and log in.
    const again = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login/resend", { flowId: flowId! }, { address: "198.51.100.83" }), gbMobile(2));
    assert.equal(again.result.statusCode, 200, again.result.body);
    assert.equal((await apiPost(t.app, "/api/login/second-factor", { flowId: flowId!, code: again.code }, { address: "198.51.100.83" })).statusCode, 200);
  });

  it("the text ends with the origin-bound line '@host #code', and the code fields autofill it", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app, "203.0.113.85");
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await oneCodeDuring(t.deps, () => browser.post("/settings/two-factor/sms", { password, phoneNumber: gbMobile(4) }, { csrfFrom: "/settings/two-factor/sms" }));
    const lines = setup.message.body.split("\n");
    assert.equal(lines.at(-1), `@localhost #${setup.code}`, "WICG origin-bound one-time code: the last line, host of TWOSTEP_PUBLIC_URL");
    assert.match(lines[0]!, new RegExp(`^${setup.code} is your twostep verification code\\.`));
    assert.ok(setup.message.body.length <= 160, "fits in one SMS segment");

    const confirmPage = await browser.get(setup.result.headers.location as string);
    assert.match(confirmPage.body, /<input[^>]*name="code"[^>]*>/);
    const setupInput = /<input[^>]*name="code"[^>]*>/.exec(confirmPage.body)![0];
    assert.match(setupInput, /autocomplete="one-time-code"/);
    assert.match(setupInput, /inputmode="numeric"/);
    assert.doesNotMatch(confirmPage.body, new RegExp(setup.code), "the page does not show the code it texted");
    await browser.post(setup.result.headers.location as string, { code: setup.code }, { csrfFrom: setup.result.headers.location as string });

    const loginBrowser = new FormClient(t.app, "203.0.113.86");
    t.clock.advance(31);
    const login = await oneCodeDuring(t.deps, () => loginBrowser.post("/login", { email: user.email, password }, { csrfFrom: "/login" }));
    const secondStep = await loginBrowser.get("/login/two-factor");
    const loginInput = /<input[^>]*name="code"[^>]*>/.exec(secondStep.body)![0];
    assert.match(loginInput, /autocomplete="one-time-code"/);
    assert.match(loginInput, /inputmode="numeric"/);
    assert.match(secondStep.body, /\+44 •••••••460/, "the page names the masked number");
    assert.doesNotMatch(secondStep.body, new RegExp(login.code));
    assert.doesNotMatch(secondStep.body, /7400123460/);
  });
});
