/**
 * "No email ever holds a code, a seed or a token" (issue 7), over a whole
 * journey through the JSON API: set up TOTP (the key and ten recovery codes),
 * log in with a code and with a recovery code, regenerate the codes, get
 * locked out, add SMS (a texted code), remove the app, disable 2FA with a new
 * password. Each step's real call site enqueues the emails the notification
 * table names; then every email (subject, text, HTML) is scanned for every
 * secret the journey saw, in the forms people type them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";
import { dispatchDueMessages } from "../../src/services/messages/message-dispatcher.js";

describe("emails hold no code, seed or token", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp({ env: { TWOSTEP_USER_FREE_FAILURES: "2" } });
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a whole journey: each change emails what the table says, and no email holds a secret", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { rotatePasswordOnDisable: true } });
    const secrets: string[] = [password];
    const seen = new Set<string>();
    const enqueued: string[] = [];
    const newKinds = async () => {
      const fresh = (await t.deps.store.messages.listMessages(10_000)).filter((message) => message.recipient === user.email && !seen.has(message.id));
      for (const message of fresh) {
        seen.add(message.id);
        enqueued.push(`${message.subject}\n${message.textBody}\n${message.htmlBody}`);
      }
      return fresh.map((message) => message.kind).sort();
    };
    let token = await api.sessionFor(user.email, password);
    secrets.push(token);

    const totp = await api.enrolTotp(token, password, t.clock);
    secrets.push(totp.key, ...totp.recoveryCodes);
    assert.deepEqual(await newKinds(), ["method_added", "new_sign_in", "recovery_codes_generated", "two_factor_enabled"]);

    t.clock.advance(30);
    let flowId = await api.flowFor(user.email, password);
    secrets.push(flowId);
    const code = codeFor(totp.key, t.clock.now());
    secrets.push(code);
    let response = await api.post("/api/login/second-factor", { flowId, code });
    assert.equal(response.status, 200, response.raw.body);
    token = response.body.sessionToken;
    secrets.push(token);
    // An API client that does not send back its browserToken is a new browser at each login (issue 17).
    assert.deepEqual(await newKinds(), ["new_sign_in"], "a login sends only the new sign-in email");

    flowId = await api.flowFor(user.email, password);
    response = await api.post("/api/login/recovery-code", { flowId, code: totp.recoveryCodes[0] });
    assert.equal(response.status, 200, response.raw.body);
    token = response.body.sessionToken;
    secrets.push(flowId, token);
    assert.deepEqual(await newKinds(), ["new_sign_in", "recovery_code_used"]);
    const used = (await t.deps.store.messages.listMessages(500)).find((message) => message.kind === "recovery_code_used" && message.recipient === user.email)!;
    assert.match(used.textBody, /You have 9 recovery codes left\./);

    response = await api.post("/api/me/recovery-codes", { password }, token);
    assert.equal(response.status, 200, response.raw.body);
    secrets.push(...(response.body.recoveryCodes as string[]));
    assert.deepEqual(await newKinds(), ["recovery_codes_generated"]);

    // SECURITY 12: the password was right, the codes kept failing.
    flowId = await api.flowFor(user.email, password);
    for (let i = 0; i < 3; i++) await api.post("/api/login/second-factor", { flowId, code: wrongCodeFor(totp.key, t.clock.now()) });
    assert.deepEqual(await newKinds(), ["locked_out"]);
    t.clock.advance(3600);

    t.clock.advance(30);
    // An hour on, the session is past the step-up window: confirm it's you with a current code first (SECURITY 29).
    response = await api.post("/api/me/step-up", { code: codeFor(totp.key, t.clock.now()) }, token);
    assert.equal(response.status, 200, response.raw.body);
    t.clock.advance(30);
    const begun = await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+44 7400 123456" }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const [text] = await t.deps.store.outbox.listOutboxMessages(1);
    const smsCode = /#(\d{6})$/.exec(text!.body)![1]!;
    secrets.push(smsCode, "7400123456");
    response = await api.post(`/api/me/two-factor/sms/${begun.body.methodId}/confirm`, { code: smsCode }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(await newKinds(), ["method_added"]);

    t.clock.advance(30);
    response = await api.request("DELETE", `/api/me/methods/${totp.methodId}`, { json: { code: codeFor(totp.key, t.clock.now()) }, token });
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(await newKinds(), ["method_removed"]);

    const newPassword = "a brand new passphrase";
    secrets.push(newPassword);
    response = await api.post("/api/me/two-factor/disable", { password, newPassword }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(await newKinds(), ["password_changed", "two_factor_disabled"]);

    // Send them through the development outbox too: what the page shows is scanned as well.
    await dispatchDueMessages(t.deps);
    const messages = (await t.deps.store.messages.listMessages(10_000)).filter((message) => seen.has(message.id));
    const pending = await t.deps.store.outbox.listOutboxMessages(10_000);
    const bodies = [
      ...enqueued,
      ...pending.filter((message) => message.channel === "email").map((message) => `${message.subject}\n${message.body}`),
    ];
    assert.equal(messages.every((message) => message.status === "sent" && message.textBody === "" && message.htmlBody === ""), true, "bodies erased once sent");
    assert.equal(pending.filter((message) => message.channel === "email" && message.recipient === user.email).length, seen.size);
    const forms = (secret: string) => [secret, secret.replace(/[-\s]/g, ""), secret.toLowerCase(), secret.match(/.{4}/g)?.join(" ") ?? secret];
    for (const body of bodies) {
      for (const secret of secrets) for (const form of forms(secret)) assert.ok(!body.includes(form), `an email holds a secret (${secret.slice(0, 3)}…)`);
    }
  });
});
