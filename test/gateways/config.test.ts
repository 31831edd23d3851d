/**
 * M2, SECURITY 25: how the SMS gateway is chosen and configured (parseConfig's
 * SMS part in src/config.ts, and createSmsGateway in src/gateways/sms/create.ts).
 * The development outbox is refused in production; production defaults to no
 * gateway at all; Twilio and the webhook need their variables; the allowed
 * destination countries (toll-fraud limit, SECURITY 25) are validated. The
 * adapters themselves are tested against local HTTP servers that check what
 * they send (twilio.test.ts, webhook.test.ts), as the issue asks.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { createSmsGateway } from "../../src/gateways/sms/create.js";

/** Development, asked for by name: production is the default environment. */
const development = { TWOSTEP_ENV: "development" };

const productionKey = Buffer.alloc(32, 7).toString("base64");
const production = { TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: productionKey };
const twilioVariables = {
  TWOSTEP_TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
  TWOSTEP_TWILIO_AUTH_TOKEN: "token",
  TWOSTEP_TWILIO_FROM: "+447700900123",
};
const webhookVariables = { TWOSTEP_SMS_WEBHOOK_URL: "https://sms.example.com/hook", TWOSTEP_SMS_WEBHOOK_SECRET: "whsec_x" };

const noOutbox = {
  insertOutboxMessage: async () => {
    throw new Error("not expected");
  },
};

describe("SMS gateway configuration", () => {
  it("refuses the outbox in production", () => {
    assert.throws(() => parseConfig({ ...production, TWOSTEP_SMS_GATEWAY: "outbox" }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /TWOSTEP_SMS_GATEWAY=outbox is for development only/);
      return true;
    });
  });

  it("defaults to none in production and to the outbox in development and test", () => {
    assert.equal(parseConfig(production).sms.gateway, "none");
    assert.equal(parseConfig({ TWOSTEP_ENV: "development" }).sms.gateway, "outbox");
    assert.equal(parseConfig(development).sms.gateway, "outbox", "outbox is development's default");
    assert.equal(parseConfig({ TWOSTEP_ENV: "test" }).sms.gateway, "outbox");
    const none = parseConfig(production).sms;
    assert.equal(none.twilio, null);
    assert.equal(none.webhook, null);
  });

  it("builds a 'none' gateway that refuses to send, permanently", async () => {
    const gateway = createSmsGateway(parseConfig(production).sms, noOutbox, () => 0);
    assert.equal(gateway.name, "none");
    const result = await gateway.send({ id: "m", to: "+447400123456", body: "x" });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && !result.transient && /TWOSTEP_SMS_GATEWAY/.test(result.reason));
  });

  it("rejects an unknown gateway name", () => {
    assert.throws(() => parseConfig({ ...development, TWOSTEP_SMS_GATEWAY: "sns" }), ConfigError);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_SMS_GATEWAY: "Twilio", ...twilioVariables }), ConfigError);
  });

  it("requires every TWOSTEP_TWILIO_* credential when Twilio is chosen, and defaults the base URL", () => {
    for (const missing of Object.keys(twilioVariables)) {
      const env: Record<string, string> = { ...production, TWOSTEP_SMS_GATEWAY: "twilio", ...twilioVariables };
      delete env[missing];
      assert.throws(() => parseConfig(env), (error: unknown) => error instanceof ConfigError && error.message.includes(missing), missing);
      assert.throws(() => parseConfig({ ...development, ...env, [missing]: "" }), ConfigError, `${missing} empty`);
    }
    const sms = parseConfig({ ...production, TWOSTEP_SMS_GATEWAY: "twilio", ...twilioVariables }).sms;
    assert.equal(sms.gateway, "twilio");
    assert.deepEqual(sms.twilio, {
      accountSid: twilioVariables.TWOSTEP_TWILIO_ACCOUNT_SID,
      authToken: "token",
      from: "+447700900123",
      baseUrl: "https://api.twilio.com",
    });
    assert.equal(sms.webhook, null);
  });

  it("requires the webhook URL and secret when the webhook is chosen", () => {
    for (const missing of Object.keys(webhookVariables)) {
      const env: Record<string, string> = { ...production, TWOSTEP_SMS_GATEWAY: "webhook", ...webhookVariables };
      delete env[missing];
      assert.throws(() => parseConfig(env), (error: unknown) => error instanceof ConfigError && error.message.includes(missing), missing);
    }
    const sms = parseConfig({ ...production, TWOSTEP_SMS_GATEWAY: "webhook", ...webhookVariables }).sms;
    assert.deepEqual(sms.webhook, { url: "https://sms.example.com/hook", secret: "whsec_x" });
    assert.equal(sms.twilio, null);
  });

  it("does not ask for provider variables it will not use", () => {
    assert.doesNotThrow(() => parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_SMS_GATEWAY: "outbox" }));
    assert.doesNotThrow(() => parseConfig({ ...production, TWOSTEP_SMS_GATEWAY: "none" }));
  });

  it("validates TWOSTEP_SMS_ALLOWED_COUNTRIES (SECURITY 25) and normalises it", () => {
    const defaults = parseConfig(development).sms.allowedCountries;
    assert.ok(defaults.includes("GB") && defaults.includes("US"));
    assert.ok(defaults.every((code) => /^[A-Z]{2}$/.test(code)));

    assert.deepEqual(parseConfig({ ...development, TWOSTEP_SMS_ALLOWED_COUNTRIES: "gb, ie ,US," }).sms.allowedCountries, ["GB", "IE", "US"]);
    for (const bad of ["GBR", "G1", "UK;US", "44", "GB,United States"]) {
      assert.throws(() => parseConfig({ ...development, TWOSTEP_SMS_ALLOWED_COUNTRIES: bad }), ConfigError, bad);
    }
    assert.equal(parseConfig({ ...development, TWOSTEP_SMS_DEFAULT_COUNTRY: "ie" }).sms.defaultCountry, "IE");
  });

  it("bounds the code lifetime to 10 minutes (SECURITY 24) and reads the send limits (SECURITY 25)", () => {
    assert.equal(parseConfig(development).sms.codeTtlSeconds, 300);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_SMS_CODE_TTL_SECONDS: "601" }), ConfigError);
    assert.deepEqual(parseConfig(development).sms.limitsPerHour, { user: 10, address: 20, number: 5, country: 200 });
    assert.equal(parseConfig({ ...development, TWOSTEP_SMS_LIMIT_PER_NUMBER: "3" }).sms.limitsPerHour.number, 3);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_SMS_LIMIT_PER_NUMBER: "0" }), ConfigError);
  });
});
