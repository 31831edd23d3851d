/**
 * Threat: an operator runs `npm start` and forgets TWOSTEP_ENV. When the
 * default was development, GET /dev/outbox answered anyone with every text,
 * its full number and its code: password + a code read there finished any SMS
 * login. Now the default is production (which has no outbox, and refuses the
 * development gateways and a missing key with one line naming the variable);
 * development is only what is asked for (`TWOSTEP_ENV=development`, `--demo`).
 * Even in development the outbox shows a browser only the messages of its own
 * login in progress, or of its signed-in user, never everyone's.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring } from "../helpers/sms.js";

const key = Buffer.alloc(32, 7).toString("base64");
const refusal = (name: string) => (error: unknown) => error instanceof ConfigError && error.message.includes(name) && !error.message.includes("\n");

describe("security: the default environment gives nothing away", () => {
  it("without TWOSTEP_ENV the server is production: no key, no start; development gateways refused", () => {
    assert.throws(() => parseConfig({}), refusal("TWOSTEP_ENCRYPTION_KEY"), "production needs a key");
    const config = parseConfig({ TWOSTEP_ENCRYPTION_KEY: key });
    assert.equal(config.environment, "production");
    assert.equal(config.sms.gateway, "none");
    assert.equal(config.email.gateway, "none");
    assert.throws(() => parseConfig({ TWOSTEP_ENCRYPTION_KEY: key, TWOSTEP_SMS_GATEWAY: "outbox" }), refusal("TWOSTEP_SMS_GATEWAY"));
    assert.throws(() => parseConfig({ TWOSTEP_ENCRYPTION_KEY: key, TWOSTEP_EMAIL_GATEWAY: "outbox" }), refusal("TWOSTEP_EMAIL_GATEWAY"));
  });

  it("development only when asked for: TWOSTEP_ENV=development or --demo (never --demo in production)", () => {
    assert.equal(parseConfig({ TWOSTEP_ENV: "development" }).environment, "development");
    assert.equal(parseConfig({}, { demo: true }).environment, "development");
    assert.equal(parseConfig({}, { demo: true }).sms.gateway, "outbox");
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: key }, { demo: true }), refusal("TWOSTEP_ENV"));
  });

  it("the default environment serves no /dev/outbox", async () => {
    const t = await createTestApp({ env: { TWOSTEP_ENV: parseConfig({ TWOSTEP_ENCRYPTION_KEY: key }).environment } });
    try {
      const outbox = await t.app.inject({ method: "GET", url: "/dev/outbox", remoteAddress: "127.0.0.1" });
      assert.equal(outbox.statusCode, 404);
    } finally {
      await t.close();
    }
  });

  describe("in development, the outbox shows a browser its own messages only", () => {
    let t: TestApp;
    let victimPhone: string;
    let attackerPhone: string;
    let victimCode: string;
    before(async () => {
      t = await createTestApp({ env: { TWOSTEP_ENV: "development" } });
      victimPhone = gbMobile(1);
      attackerPhone = gbMobile(2);
      const victim = await enrolSms(t.deps, { phone: victimPhone, kind: "reseller" });
      await enrolSms(t.deps, { phone: attackerPhone, kind: "reseller" });
      const victimBrowser = new FormClient(t.app, "127.0.0.1");
      const login = await oneCodeDuring(t.deps, () => victimBrowser.post("/login", { email: victim.user.email, password: victim.password }, { csrfFrom: "/login" }), victimPhone);
      victimCode = login.code;
      const own = await victimBrowser.get("/dev/outbox");
      assert.equal(own.statusCode, 200);
      assert.ok(own.body.includes(victimCode), "the browser of the login in progress sees its code");
    });
    after(() => t.close());

    it("a browser with no login and no session sees no message", async () => {
      const anyone = await new FormClient(t.app, "127.0.0.1").get("/dev/outbox");
      assert.equal(anyone.statusCode, 200);
      assert.ok(!anyone.body.includes(victimCode), "someone else's code is not shown");
      assert.ok(!anyone.body.includes(victimPhone) && !anyone.body.includes(attackerPhone), "no one's number is shown");
    });

    it("another user's signed-in browser sees only its own texts", async () => {
      const attacker = new FormClient(t.app, "127.0.0.1");
      const other = await enrolSms(t.deps, { phone: gbMobile(3), kind: "reseller" });
      const login = await oneCodeDuring(t.deps, () => attacker.post("/login", { email: other.user.email, password: other.password }, { csrfFrom: "/login" }));
      assert.equal((await attacker.post("/login/two-factor", { code: login.code }, { csrfFrom: "/login/two-factor" })).statusCode, 303);
      const page = await attacker.get("/dev/outbox");
      assert.ok(page.body.includes(gbMobile(3)), "its own number is shown");
      assert.ok(!page.body.includes(victimCode) && !page.body.includes(victimPhone), "the victim's code and number are not");
    });
  });
});
