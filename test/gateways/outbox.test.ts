/**
 * M2, SECURITY 26: the development outbox SMS gateway (src/gateways/sms/outbox.ts)
 * stores each message in the store, where /dev/outbox shows it, instead of
 * sending it. It needs no HTTP server (the "provider adapters are tested
 * against a local HTTP server that checks what they send" covers twilio.test.ts
 * and webhook.test.ts); here the check is on what lands in the real SQLite store,
 * including a code sent by the SMS service, whose last line is `@host #123456`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { composeSmsMessage } from "../../src/domain/sms-message.js";
import { createSmsGateway } from "../../src/gateways/sms/create.js";
import { createOutboxSmsGateway } from "../../src/gateways/sms/outbox.js";
import { startPendingSmsMethod } from "../../src/services/factors/sms/enrolment.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

describe("outbox SMS gateway", () => {
  let runtime: TestRuntime;

  before(async () => {
    runtime = await createTestRuntime();
  });

  after(async () => {
    await runtime.close();
  });

  it("stores the message (channel sms, recipient, body, the clock's time) and returns its id", async () => {
    const { deps, clock } = runtime;
    const gateway = createOutboxSmsGateway(deps.store.outbox, () => clock.now());
    assert.equal(gateway.name, "outbox");
    const body = composeSmsMessage({ code: "000123", host: "login.example.com", issuer: "twostep", ttlMinutes: 5 });
    const result = await gateway.send({ id: "outbox-msg-1", to: "+447700900001", body });
    assert.deepEqual(result, { ok: true, providerMessageId: "outbox-msg-1" });

    const stored = (await deps.store.outbox.listOutboxMessages(100)).find((entry) => entry.id === "outbox-msg-1");
    assert.deepEqual(stored, { id: "outbox-msg-1", channel: "sms", recipient: "+447700900001", subject: null, body, createdAt: clock.now() });
    assert.equal(stored!.body.split("\n").at(-1), "@login.example.com #000123");
  });

  it("keeps every message, each with the time it was sent", async () => {
    const { deps, clock } = runtime;
    const gateway = createOutboxSmsGateway(deps.store.outbox, () => clock.now());
    const firstAt = clock.now();
    await gateway.send({ id: "outbox-msg-2", to: "+447400000002", body: "first" });
    clock.advance(60);
    await gateway.send({ id: "outbox-msg-3", to: "+447400000003", body: "second" });
    const stored = await deps.store.outbox.listOutboxMessages(100);
    assert.equal(stored.find((entry) => entry.id === "outbox-msg-2")?.createdAt, firstAt);
    assert.equal(stored.find((entry) => entry.id === "outbox-msg-3")?.createdAt, firstAt + 60_000);
  });

  it("is the development default that createSmsGateway builds (no network involved)", async () => {
    const { deps, clock } = runtime;
    const config = parseConfig({ TWOSTEP_ENV: "development" });
    assert.equal(config.sms.gateway, "outbox");
    const gateway = createSmsGateway(config.sms, deps.store.outbox, () => clock.now());
    assert.equal(gateway.name, "outbox");
    assert.deepEqual(await gateway.send({ id: "outbox-msg-4", to: "+447400000004", body: "hello" }), { ok: true, providerMessageId: "outbox-msg-4" });
    assert.ok((await deps.store.outbox.listOutboxMessages(100)).some((entry) => entry.id === "outbox-msg-4"));
  });

  it("receives the code the SMS service sends: E.164 recipient, last line `@host #code` for the public URL's host", async () => {
    const { deps } = runtime;
    const { user } = await seedUser(deps);
    const started = await startPendingSmsMethod(deps, user, "07400 123456", null, { clientAddress: null, userAgent: "test" });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(started.maskedPhone, "+44 •••••••456");

    const sent = (await deps.store.outbox.listOutboxMessages(100)).filter((entry) => entry.recipient === "+447400123456");
    assert.equal(sent.length, 1);
    const lines = sent[0]!.body.split("\n");
    const last = /^@([^\s#]+) #(\d{6})$/.exec(lines.at(-1)!);
    assert.ok(last, `last line was ${JSON.stringify(lines.at(-1))}`);
    assert.equal(last[1], new URL(deps.config.publicUrl).hostname);
    assert.ok(lines[0]!.startsWith(`${last[2]} is your ${deps.config.issuer} verification code`));
    // The code is only in the message: it is never logged (the store keeps a keyed hash).
    assert.ok(!runtime.logger.lines.some((line) => line.includes(last[2]!)));
  });
});
