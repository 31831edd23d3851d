/** Email settings: outbox never in production, smtp needs a URL and a sender, and no error repeats the SMTP password. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";

/** Development, asked for by name: production is the default environment. */
const development = { TWOSTEP_ENV: "development" };

const production = { TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") };

describe("email configuration", () => {
  it("defaults to the outbox in development and to none in production", () => {
    assert.equal(parseConfig(development).email.gateway, "outbox");
    assert.equal(parseConfig(production).email.gateway, "none");
    assert.equal(parseConfig(development).email.pollSeconds, 5);
  });

  it("refuses the outbox gateway in production", () => {
    assert.throws(() => parseConfig({ ...production, TWOSTEP_EMAIL_GATEWAY: "outbox" }), /TWOSTEP_EMAIL_GATEWAY=outbox is for development only/);
  });

  it("smtp needs TWOSTEP_SMTP_URL and TWOSTEP_EMAIL_FROM", () => {
    assert.throws(() => parseConfig({ ...production, TWOSTEP_EMAIL_GATEWAY: "smtp", TWOSTEP_EMAIL_FROM: "a@b.test" }), /TWOSTEP_SMTP_URL is required/);
    assert.throws(() => parseConfig({ ...production, TWOSTEP_EMAIL_GATEWAY: "smtp", TWOSTEP_SMTP_URL: "smtp://h:25" }), /TWOSTEP_EMAIL_FROM is required/);
    const config = parseConfig({ ...production, TWOSTEP_EMAIL_GATEWAY: "smtp", TWOSTEP_SMTP_URL: "smtps://u:p@mail.example:465", TWOSTEP_EMAIL_FROM: "twostep <no-reply@example.test>" });
    assert.deepEqual(config.email, { gateway: "smtp", smtpUrl: "smtps://u:p@mail.example:465", from: "twostep <no-reply@example.test>", pollSeconds: 5, retrySeconds: 30 });
  });

  it("a bad SMTP URL is refused without repeating it (it may hold the password)", () => {
    for (const url of ["http://user:hunter2@host", "smtp//user:hunter2@host", "smtp://user:hunter2@"]) {
      assert.throws(
        () => parseConfig({ ...development, TWOSTEP_EMAIL_GATEWAY: "smtp", TWOSTEP_SMTP_URL: url, TWOSTEP_EMAIL_FROM: "a@b.test" }),
        (error: unknown) => error instanceof ConfigError && /TWOSTEP_SMTP_URL must look like/.test(error.message) && !error.message.includes("hunter2"),
        url,
      );
    }
  });

  it("refuses an unknown gateway, a From that is no address, and a poll interval out of range", () => {
    assert.throws(() => parseConfig({ ...development, TWOSTEP_EMAIL_GATEWAY: "sendgrid" }), /must be outbox, smtp or none/);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_EMAIL_GATEWAY: "smtp", TWOSTEP_SMTP_URL: "smtp://h:25", TWOSTEP_EMAIL_FROM: "nobody" }), /TWOSTEP_EMAIL_FROM must be an email address/);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_EMAIL_POLL_SECONDS: "0" }), /TWOSTEP_EMAIL_POLL_SECONDS must be a whole number from 1 to 3600/);
  });
});
