/**
 * Threat: SMS toll fraud ("SMS pumping"). An attacker makes the service text
 * codes in bulk — to premium-rate or expensive foreign numbers they share
 * revenue on, or at a victim's phone — by repeating "send a new code",
 * restarting logins, rotating accounts or rotating client addresses. Each
 * text costs the operator money. twostep counts sends per user, per client
 * address, per destination number and per country prefix in one-hour windows
 * kept in the store; the (N+1)th send in a window is refused with 429
 * sms_limit_reached before the gateway is called, and destinations are
 * limited to configured countries (and to mobile numbers). A send refused by
 * one limit does not use up the others, so an attacker at their own limit
 * cannot drain the per-number or per-country budget other users share.
 * Covers SECURITY 25 (and 9: limits per user and per address, never one
 * global bucket an attacker can empty).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiSessionFor } from "../helpers/enrol.js";
import { createSharedTestDatabase, type SharedTestDatabase } from "../helpers/database.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { allTexts, enrolSms, frMobile, gbMobile, oneCodeDuring, textsDuring, type SmsUser } from "../helpers/sms.js";

const hour = 3600;

/** An app with the given limits; everything not named is set high, so only the limit under test can refuse. */
async function appWith(env: Record<string, string>, shared?: SharedTestDatabase): Promise<TestApp> {
  return createTestApp({
    env: {
      TWOSTEP_SMS_RESEND_SECONDS: "0",
      TWOSTEP_SMS_LIMIT_PER_USER: "1000",
      TWOSTEP_SMS_LIMIT_PER_ADDRESS: "1000",
      TWOSTEP_SMS_LIMIT_PER_NUMBER: "1000",
      TWOSTEP_SMS_LIMIT_PER_COUNTRY: "100000",
      TWOSTEP_LOGIN_TTL_SECONDS: "3600",
      ...env,
    },
    ...(shared ? { shared } : {}),
  });
}

/** Runs `act` and asserts it sent no text at all (the gateway was not reached). */
async function assertNothingTexted<T>(t: TestApp, act: () => Promise<T>): Promise<T> {
  const { result, texts } = await textsDuring(t.deps, act);
  assert.deepEqual(texts, [], "no text message was sent");
  return result;
}

function login(t: TestApp, user: SmsUser, address: string) {
  return apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address });
}

/** A login whose code must have been texted; returns the flow id. */
async function sentLogin(t: TestApp, user: SmsUser, address: string): Promise<string> {
  const { result } = await oneCodeDuring(t.deps, () => login(t, user, address), user.phone);
  assert.equal(result.statusCode, 200, result.body);
  assert.equal(result.json().codeDelivery.status, "sent");
  return result.json().flowId as string;
}

/** A login that opens the second step but whose text was refused by a limit. */
async function refusedLogin(t: TestApp, user: SmsUser, address: string) {
  const response = await assertNothingTexted(t, () => login(t, user, address));
  assert.equal(response.statusCode, 200, response.body);
  const delivery = response.json().codeDelivery;
  assert.equal(delivery.status, "failed");
  assert.equal(delivery.error.code, "sms_limit_reached");
  assert.ok(delivery.error.retryAfterSeconds > 0 && delivery.error.retryAfterSeconds <= hour);
  return response;
}

const resend = (t: TestApp, flowId: string, address: string) => apiPost(t.app, "/api/login/resend", { flowId }, { address });

describe("security: SMS toll-fraud limits", () => {
  it("per user: the 4th send in an hour is refused (resend, restart, any address, pages) and the window reopens after an hour", async () => {
    const t = await appWith({ TWOSTEP_SMS_LIMIT_PER_USER: "3" });
    try {
      const user = await enrolSms(t.deps, { phone: gbMobile(0) });
      const bystander = await enrolSms(t.deps, { phone: gbMobile(1) });
      t.clock.advance(hour + 1); // the setup texts counted; start a fresh window

      const flowId = await sentLogin(t, user, "198.51.100.71"); // 1
      for (let i = 2; i <= 3; i++) {
        const { result } = await oneCodeDuring(t.deps, () => resend(t, flowId, "198.51.100.71"));
        assert.equal(result.statusCode, 200, `send ${i}`);
      }
      t.clock.advance(60);
      const fourth = await assertNothingTexted(t, () => resend(t, flowId, "198.51.100.71"));
      assert.equal(fourth.statusCode, 429);
      assert.equal(fourth.json().code, "sms_limit_reached");
      assert.match(fourth.json().message, /Too many text messages/);
      assert.equal(fourth.json().retryAfterSeconds, hour - 60, "until the window that began with the first send ends");

      // Restarting the login, from another address, does not help.
      await refusedLogin(t, user, "198.51.100.72");
      // Nor do the pages: the second step opens with the limit's message, and "Send a new code" is refused.
      const browser = new FormClient(t.app, "203.0.113.71");
      const started = await assertNothingTexted(t, () => browser.post("/login", { email: user.user.email, password: user.password }, { csrfFrom: "/login" }));
      assert.equal(started.headers.location, "/login/two-factor?error=sms_limit_reached");
      assert.match((await browser.get(started.headers.location as string)).body, /Too many text messages were sent/);
      const pageResend = await assertNothingTexted(t, () => browser.post("/login/two-factor/resend", {}, { csrfFrom: "/login/two-factor" }));
      assert.equal(pageResend.headers.location, "/login/two-factor?error=sms_limit_reached");

      // Another user is not affected (no global bucket).
      await sentLogin(t, bystander, "198.51.100.71");

      t.clock.advance(hour);
      await sentLogin(t, user, "198.51.100.71");
    } finally {
      await t.close();
    }
  });

  it("per client address: many users from one address get 3 texts in all, then none; other addresses still get theirs", async () => {
    const t = await appWith({ TWOSTEP_SMS_LIMIT_PER_ADDRESS: "3" });
    try {
      const users: SmsUser[] = [];
      for (let i = 0; i < 5; i++) users.push(await enrolSms(t.deps, { phone: gbMobile(2 + i) }));
      t.clock.advance(hour + 1);
      const attacker = "198.51.100.73";
      const flows: string[] = [];
      for (const user of users.slice(0, 3)) flows.push(await sentLogin(t, user, attacker));
      await refusedLogin(t, users[3]!, attacker);
      const again = await assertNothingTexted(t, () => resend(t, flows[0]!, attacker));
      assert.equal(again.statusCode, 429);
      assert.equal(again.json().code, "sms_limit_reached");

      // The same users from other addresses still get their codes.
      await sentLogin(t, users[3]!, "198.51.100.74");
      await sentLogin(t, users[4]!, "198.51.100.75");
      const { result } = await oneCodeDuring(t.deps, () => resend(t, flows[0]!, "198.51.100.76"));
      assert.equal(result.statusCode, 200, "the limit is the address's, not the login's");

      t.clock.advance(hour);
      await sentLogin(t, users[3]!, attacker);
    } finally {
      await t.close();
    }
  });

  it("per destination number: two accounts with one number share its budget; setup to that number is refused too", async () => {
    const t = await appWith({ TWOSTEP_SMS_LIMIT_PER_NUMBER: "3" });
    try {
      const victimPhone = gbMobile(7);
      const alice = await enrolSms(t.deps, { phone: victimPhone });
      const bob = await enrolSms(t.deps, { phone: victimPhone });
      t.clock.advance(hour + 1);

      const aliceFlow = await sentLogin(t, alice, "198.51.100.77");
      await sentLogin(t, bob, "198.51.100.78");
      const { result } = await oneCodeDuring(t.deps, () => resend(t, aliceFlow, "198.51.100.77"));
      assert.equal(result.statusCode, 200);
      await refusedLogin(t, bob, "198.51.100.78");
      assert.equal((await assertNothingTexted(t, () => resend(t, aliceFlow, "198.51.100.77"))).json().code, "sms_limit_reached");

      // A third account cannot start SMS setup to that number either; nothing is kept.
      const { user: carol, password } = await seedUser(t.deps);
      const token = await apiSessionFor(t.app, { email: carol.email, password }, "198.51.100.79");
      const setup = await assertNothingTexted(t, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: victimPhone }, { token, address: "198.51.100.79" }));
      assert.equal(setup.statusCode, 429, setup.body);
      assert.equal(setup.json().code, "sms_limit_reached");
      assert.deepEqual(await t.deps.store.methods.listMethods(carol.id), [], "the refused setup left no pending method");
      // The page says so next to the number.
      const browser = new FormClient(t.app, "203.0.113.79");
      await browser.post("/login", { email: carol.email, password }, { csrfFrom: "/login" });
      const page = await assertNothingTexted(t, () => browser.post("/settings/two-factor/sms", { password, phoneNumber: victimPhone }, { csrfFrom: "/settings/two-factor/sms" }));
      assert.equal(page.statusCode, 429);
      assert.match(page.body, /Too many text messages were sent/);
      // Another number is fine.
      const other = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(8) }, { token, address: "198.51.100.79" }), gbMobile(8));
      assert.equal(other.result.statusCode, 200, other.result.body);
    } finally {
      await t.close();
    }
  });

  it("per country prefix: the 4th text to +44 in the hour is refused; +33 still gets through", async () => {
    const t = await appWith({ TWOSTEP_SMS_LIMIT_PER_COUNTRY: "3" });
    try {
      const gb: SmsUser[] = [];
      for (let i = 0; i < 4; i++) {
        gb.push(await enrolSms(t.deps, { phone: gbMobile(9 + i) }));
        t.clock.advance(hour + 1); // each setup in its own window, so the country budget lets it through
      }
      const fr = await enrolSms(t.deps, { phone: frMobile });
      t.clock.advance(hour + 1);
      for (let i = 0; i < 3; i++) await sentLogin(t, gb[i]!, `198.51.100.${80 + i}`);
      await refusedLogin(t, gb[3]!, "198.51.100.83");
      await sentLogin(t, fr, "198.51.100.84");
      t.clock.advance(hour);
      await sentLogin(t, gb[3]!, "198.51.100.83");
    } finally {
      await t.close();
    }
  });

  it("sends refused by the attacker's own limits do not use up the victim's number budget or the country's", async () => {
    const t = await appWith({ TWOSTEP_SMS_LIMIT_PER_ADDRESS: "2", TWOSTEP_SMS_LIMIT_PER_USER: "3", TWOSTEP_SMS_LIMIT_PER_NUMBER: "4", TWOSTEP_SMS_LIMIT_PER_COUNTRY: "9" });
    try {
      const victimPhone = gbMobile(13);
      // The attacker's accounts name the victim's number and other numbers of the same country.
      const attackerAccounts = [
        await enrolSms(t.deps, { phone: victimPhone }),
        await enrolSms(t.deps, { phone: gbMobile(14) }),
        await enrolSms(t.deps, { phone: gbMobile(16) }),
      ];
      const victim = await enrolSms(t.deps, { phone: victimPhone });
      const neighbour = await enrolSms(t.deps, { phone: gbMobile(15) });
      t.clock.advance(hour + 1);

      // The attacker's address reaches its limit (2 texts: the victim's number 1 of 4, the country 2 of 9)…
      const attacker = "198.51.100.90";
      await sentLogin(t, attackerAccounts[0]!, attacker);
      await sentLogin(t, attackerAccounts[1]!, attacker);
      // …then keeps asking from it: 20 sends refused by the address limit.
      for (let i = 0; i < 10; i++) for (const account of attackerAccounts.slice(0, 2)) await refusedLogin(t, account, attacker);
      // A third account reaches its user limit from rotating addresses (country 5 of 9), and keeps asking: 10 refused.
      const flow = await sentLogin(t, attackerAccounts[2]!, "198.51.100.97");
      for (let i = 0; i < 2; i++) assert.equal((await oneCodeDuring(t.deps, () => resend(t, flow, `198.51.100.${98 + i}`))).result.statusCode, 200);
      for (let i = 0; i < 10; i++) assert.equal((await assertNothingTexted(t, () => resend(t, flow, `198.51.100.${110 + i}`))).json().code, "sms_limit_reached");

      // The victim's number (1 of 4 used) and the country (5 of 9 used) still serve everyone else.
      const victimFlow = await sentLogin(t, victim, "198.51.100.91");
      for (let i = 0; i < 2; i++) assert.equal((await oneCodeDuring(t.deps, () => resend(t, victimFlow, `198.51.100.${94 + i}`))).result.statusCode, 200, `victim resend ${i + 1}`);
      await sentLogin(t, neighbour, "198.51.100.92");
      // And the budgets still hold: the country has had its 9.
      await refusedLogin(t, neighbour, "198.51.100.93");
    } finally {
      await t.close();
    }
  });

  it("'send a new code' is refused more often than every 30 s by default (429 sms_resend_too_soon), without a text", async () => {
    const t = await createTestApp();
    try {
      const user = await enrolSms(t.deps, { phone: gbMobile(15) });
      const flowId = await sentLogin(t, user, "198.51.100.94");
      t.clock.advance(10);
      const tooSoon = await assertNothingTexted(t, () => resend(t, flowId, "198.51.100.94"));
      assert.equal(tooSoon.statusCode, 429);
      assert.equal(tooSoon.json().code, "sms_resend_too_soon");
      assert.equal(tooSoon.json().retryAfterSeconds, 20);
      t.clock.advance(20);
      assert.equal((await oneCodeDuring(t.deps, () => resend(t, flowId, "198.51.100.94"))).result.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it("only allowed destination countries, and only mobiles, can be set up (TWOSTEP_SMS_ALLOWED_COUNTRIES=GB)", async () => {
    const t = await appWith({ TWOSTEP_SMS_ALLOWED_COUNTRIES: "GB" });
    try {
      const { user, password } = await seedUser(t.deps);
      const token = await apiSessionFor(t.app, { email: user.email, password }, "198.51.100.95");
      for (const [phoneNumber, code] of [
        [frMobile, "phone_country_not_allowed"],
        ["+234 803 123 4567", "phone_country_not_allowed"],
        ["+44 20 7123 4567", "not_a_mobile_number"], // a London landline: no SMS, and a classic toll-fraud target
        ["+44 909 879 0000", "not_a_mobile_number"], // premium rate
      ] as const) {
        const response = await assertNothingTexted(t, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber }, { token, address: "198.51.100.95" }));
        assert.equal(response.statusCode, 400, `${phoneNumber}: ${response.body}`);
        assert.equal(response.json().code, code, phoneNumber);
        assert.equal(response.json().field, "phoneNumber");
      }
      assert.deepEqual(await t.deps.store.methods.listMethods(user.id), [], "nothing was kept");

      const browser = new FormClient(t.app, "203.0.113.95");
      await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
      const page = await assertNothingTexted(t, () => browser.post("/settings/two-factor/sms", { password, phoneNumber: frMobile }, { csrfFrom: "/settings/two-factor/sms" }));
      assert.equal(page.statusCode, 400);
      assert.match(page.body, /We cannot send SMS codes to numbers in that country/);

      const gb = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(16) }, { token, address: "198.51.100.95" }), gbMobile(16));
      assert.equal(gb.result.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it("a country removed from the allowed list stops receiving codes for numbers already set up", async () => {
    const directory = await mkdtemp(join(tmpdir(), "twostep-sms-countries-"));
    const shared = await createSharedTestDatabase(directory);
    try {
      const before = await appWith({}, shared); // FR allowed by default
      const french = await enrolSms(before.deps, { phone: frMobile });
      await before.close();

      const after = await appWith({ TWOSTEP_SMS_ALLOWED_COUNTRIES: "GB" }, shared);
      try {
        after.clock.current = before.clock.current;
        const response = await assertNothingTexted(after, () => login(after, french, "198.51.100.96"));
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().codeDelivery.status, "failed");
        assert.equal(response.json().codeDelivery.error.code, "phone_country_not_allowed");
        assert.equal((await allTexts(after.deps)).filter((message) => message.recipient === frMobile).length, 1, "only the setup text, sent while FR was allowed");
      } finally {
        await after.close();
      }
    } finally {
      await shared.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
