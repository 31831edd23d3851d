/**
 * SPEC O3: killing the server between the commit and the send loses nothing.
 * A real server process sends email over SMTP to a local server that is not
 * running yet; enabling 2FA through the API commits three emails, and the
 * server's tries fail (connection refused). The server is killed with SIGKILL,
 * the SMTP server starts, a new server process starts on the same database:
 * the three emails arrive, each exactly once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { callApi, createSharedDatabase, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";
import { startSmtpServer, type LocalSmtpServer } from "../helpers/smtp.js";
import { codeFor } from "../helpers/totp.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("email survives a server killed between commit and send", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let smtp: LocalSmtpServer | null = null;
  const instances: Instance[] = [];

  before(async () => {
    database = await createSharedDatabase();
  });
  after(async () => {
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await smtp?.close();
    await runtime?.close();
    await database?.drop();
  });

  it("the emails committed before the kill arrive once after the restart", async () => {
    // A port with nothing listening: take one, then free it.
    const probe = await startSmtpServer();
    const port = probe.port;
    const smtpUrl = probe.url;
    await probe.close();
    const env = instanceEnv(database.url, {
      TWOSTEP_EMAIL_GATEWAY: "smtp",
      TWOSTEP_SMTP_URL: smtpUrl,
      TWOSTEP_EMAIL_FROM: "twostep <no-reply@example.test>",
      TWOSTEP_EMAIL_POLL_SECONDS: "1",
      TWOSTEP_EMAIL_RETRY_SECONDS: "1",
    });
    runtime = await createRuntime(parseConfig(env));
    const { user, password } = await seedUser(runtime.deps);
    const first = await startInstance(env);
    instances.push(first);

    const login = await callApi(first.url, "/api/login", { email: user.email, password });
    const begun = await callApi(first.url, "/api/me/two-factor/totp", { password }, login.body.sessionToken);
    const confirmed = await callApi(first.url, `/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: codeFor(begun.body.key, Date.now()) }, login.body.sessionToken);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

    // Committed, and tried (and refused) by the running server at least once.
    const mine = async () => (await runtime.deps.store.messages.listMessages(100)).filter((message) => message.recipient === user.email);
    for (let waited = 0; !(await mine()).every((message) => message.attempts >= 1 && message.claimedUntil === null); waited += 100) {
      assert.ok(waited < 15_000, "the server never tried to send");
      await sleep(100);
    }
    // Three from the enrolment, one from the login's new browser (issue 17).
    assert.deepEqual((await mine()).map((message) => message.status), ["pending", "pending", "pending", "pending"]);
    assert.match((await mine())[0]!.lastError ?? "", /^SMTP E[A-Z]+$/, "a connection error, named by its code only");

    const exited = new Promise((resolve) => first.process.once("exit", resolve));
    first.process.kill("SIGKILL");
    await exited;
    instances.splice(instances.indexOf(first), 1);

    smtp = await startSmtpServer({ port });
    instances.push(await startInstance(env));
    const received = await smtp.waitFor(4, 30_000);
    await sleep(2500); // two more polls: nothing is sent again
    assert.equal(smtp.received.length, 4);
    assert.deepEqual(received.map((email) => email.envelopeTo), [[user.email], [user.email], [user.email], [user.email]]);
    assert.deepEqual(received.map((email) => email.parsed.subject).sort(), ["A sign-in method was added", "New recovery codes", "New sign-in to your account", "Two-factor authentication is on"]);
    assert.equal(new Set(received.map((email) => email.parsed.messageId)).size, 4);
    assert.deepEqual((await mine()).map((message) => message.status), ["sent", "sent", "sent", "sent"]);
  });
});
