/**
 * The SMTP email gateway against a real local SMTP server: what arrives
 * (envelope and headers, the text and HTML parts, parsed with mailparser), the
 * login from the URL, and how failures are classed: a 4xx reply or no server
 * is transient, a 5xx reply permanent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSmtpEmailGateway } from "../../src/gateways/email/smtp.js";
import { startSmtpServer, type LocalSmtpServer } from "../helpers/smtp.js";

const message = { to: "ada@example.test", subject: "Two-factor authentication is on", text: "Hello Ada,\n\nplain part\n", html: "<p>Hello <b>Ada</b></p>" };

describe("SMTP email gateway", () => {
  let smtp: LocalSmtpServer;
  before(async () => {
    smtp = await startSmtpServer({ user: "mailer@example.test", password: "p@ss:w/rd 1" });
  });
  after(() => smtp.close());

  it("delivers to the recipient, from the configured sender, with subject, text and HTML parts, logged in with the URL's user and password", async () => {
    const gateway = createSmtpEmailGateway({ url: smtp.url, from: "twostep <no-reply@example.test>" });
    const result = await gateway.send(message);
    gateway.close?.();
    assert.equal(result.ok, true, JSON.stringify(result));
    const [received] = await smtp.waitFor(1);
    assert.deepEqual(received!.envelopeTo, ["ada@example.test"]);
    assert.equal(received!.envelopeFrom, "no-reply@example.test");
    assert.equal(received!.user, "mailer@example.test", "authenticated with the percent-decoded URL credentials");
    assert.equal(received!.parsed.subject, message.subject);
    assert.deepEqual(received!.parsed.from?.value.map((entry) => [entry.name, entry.address]), [["twostep", "no-reply@example.test"]]);
    assert.equal(received!.parsed.text, message.text);
    assert.equal(received!.parsed.html, message.html);
    assert.ok(result.ok && result.providerMessageId.length > 0);
    assert.equal(received!.parsed.messageId, result.ok ? result.providerMessageId : "");
  });

  it("a wrong password is a permanent failure (535), and the reason holds no credential", async () => {
    const gateway = createSmtpEmailGateway({ url: smtp.url.replace("p%40ss", "wrong"), from: "no-reply@example.test" });
    const result = await gateway.send(message);
    gateway.close?.();
    assert.deepEqual(result, { ok: false, transient: false, reason: "SMTP 535" });
  });

  it("a 4xx reply is transient, a 5xx reply permanent", async () => {
    const gateway = createSmtpEmailGateway({ url: smtp.url, from: "no-reply@example.test" });
    try {
      smtp.rejectWith = 451;
      assert.deepEqual(await gateway.send(message), { ok: false, transient: true, reason: "SMTP 451" });
      smtp.rejectWith = 550;
      assert.deepEqual(await gateway.send(message), { ok: false, transient: false, reason: "SMTP 550" });
    } finally {
      smtp.rejectWith = null;
      gateway.close?.();
    }
  });

  it("no server listening is transient", async () => {
    const closed = await startSmtpServer();
    const url = closed.url;
    await closed.close();
    const gateway = createSmtpEmailGateway({ url, from: "no-reply@example.test", timeoutMs: 2000 });
    const result = await gateway.send(message);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.transient, true, JSON.stringify(result));
    assert.doesNotMatch(JSON.stringify(result), /s3cret/);
  });
});
