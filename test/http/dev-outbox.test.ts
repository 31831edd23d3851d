import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, seedUser } from "../helpers/runtime.js";

/**
 * The development SMS outbox (M2 in development): texts are not sent but
 * stored, and /dev/outbox lists them (recipient, the message ending in the
 * origin-bound `@host #123456` line) to the browser of the user they were
 * sent to. The page exists only outside production: in production
 * /dev/outbox is an ordinary 404.
 */
describe("development outbox", () => {
  it("in development, /dev/outbox lists the texted message", async () => {
    const t = await createTestApp({ env: { TWOSTEP_ENV: "development" } });
    try {
      let response = await t.app.inject({ method: "GET", url: "/dev/outbox" });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers["content-type"]), /^text\/html/);
      assert.match(response.body, /Development outbox/);
      assert.match(response.body, /No messages yet\./);

      const api = new ApiClient(t.app);
      const { user, password } = await seedUser(t.deps, { kind: "reseller" });
      const token = await api.sessionFor(user.email, password);
      const begun = await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+44 7400 123456" }, token);
      assert.equal(begun.status, 200, begun.raw.body);
      const [message] = await t.deps.store.outbox.listOutboxMessages(1);
      const code = /\n@localhost #(\d{6})$/.exec(message!.body)![1]!;

      response = await t.app.inject({ method: "GET", url: "/dev/outbox" });
      assert.match(response.body, /No messages yet\./, "a browser of no one sees no one's texts");
      response = await t.app.inject({ method: "GET", url: "/dev/outbox", cookies: { twostep_session: token } });
      assert.equal(response.statusCode, 200);
      assert.doesNotMatch(response.body, /No messages yet\./);
      assert.match(response.body, /<td>\+447400123456<\/td>/, "the recipient, E.164");
      assert.ok(response.body.includes(`${code} is your twostep verification code.`), "the message text");
      assert.ok(response.body.includes(`@localhost #${code}</pre>`), "ending in the origin-bound line");
      assert.match(response.body, /2026-11-22 1\d:\d\d UTC/, "when it was sent");

      // The code read from the outbox finishes the setup.
      const confirmed = await api.post(`/api/me/two-factor/sms/${begun.body.methodId}/confirm`, { code }, token);
      assert.equal(confirmed.status, 200, confirmed.raw.body);
    } finally {
      await t.close();
    }
  });

  it("in production, /dev/outbox does not exist (404, like any unknown page)", async () => {
    const t = await createTestApp({
      env: { TWOSTEP_ENV: "production", TWOSTEP_SMS_GATEWAY: "webhook", TWOSTEP_SMS_WEBHOOK_URL: "http://127.0.0.1:9/none", TWOSTEP_SMS_WEBHOOK_SECRET: "x" },
    });
    try {
      assert.equal(t.config.environment, "production");
      const outbox = await t.app.inject({ method: "GET", url: "/dev/outbox" });
      const unknown = await t.app.inject({ method: "GET", url: "/dev/no-such-page" });
      assert.equal(outbox.statusCode, 404);
      assert.equal(unknown.statusCode, 404);
      assert.equal(outbox.body, unknown.body, "the same answer as any unknown page");
      assert.doesNotMatch(outbox.body, /outbox/i);
      assert.equal((await t.app.inject({ method: "POST", url: "/dev/outbox" })).statusCode, 404);
    } finally {
      await t.close();
    }
  });
});
