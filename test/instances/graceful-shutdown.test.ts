/**
 * SIGTERM during a login burst (issue 17, item 2): a real server process gets a
 * steady stream of logins from 20 connections at once and is sent SIGTERM while
 * they run. Every request the server accepted (logged "incoming request") gets
 * its answer: the client holds an answer with that request id, and the server
 * logged it completed; a request it never accepted fails to connect (refused, or
 * closed before it was read), never half-answered. The process exits 0.
 *
 * The logins are wrong passwords for 40 users, so the burst also writes emails
 * (each user's third wrong password in a row records `login.password_throttled`,
 * which emails the user): the dispatcher stops after the batch it claimed, and a
 * second process started afterwards sends what is left. Every recorded event ends
 * as exactly one email at the SMTP server: nothing lost, nothing sent twice.
 * On SQLite, and on PostgreSQL under TWOSTEP_TEST_DATABASE=postgres.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { createSharedDatabase, freePort, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";
import { startSmtpServer, type LocalSmtpServer } from "../helpers/smtp.js";

type Outcome = { answered: true; status: number; requestId: string | null; afterSignal: boolean } | { answered: false; error: string };

function logLines(instance: Instance): Record<string, unknown>[] {
  return instance.output
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The code of a failed fetch: undici puts the socket's error (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET) in `cause`. */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? (error instanceof Error ? error.message : String(error));
}

describe("graceful shutdown on SIGTERM", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let smtp: LocalSmtpServer;
  const instances: Instance[] = [];

  before(async () => {
    database = await createSharedDatabase();
    smtp = await startSmtpServer();
  });
  after(async () => {
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await runtime?.close();
    await smtp?.close();
    await database?.drop();
  });

  it("answers every accepted request, sends every email once, and exits 0", async () => {
    const env = instanceEnv(database.url, {
      TWOSTEP_EMAIL_GATEWAY: "smtp",
      TWOSTEP_SMTP_URL: smtp.url,
      TWOSTEP_EMAIL_FROM: "twostep <no-reply@example.test>",
      TWOSTEP_EMAIL_POLL_SECONDS: "1",
      TWOSTEP_ACCOUNT_PASSWORD_FREE_FAILURES: "2",
      TWOSTEP_ADDRESS_FREE_FAILURES: "100000",
      TWOSTEP_LOG_LEVEL: "info",
      TWOSTEP_SHUTDOWN_GRACE_SECONDS: "30",
      TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    runtime = await createRuntime(parseConfig(env));
    const users: { email: string }[] = [];
    for (let i = 0; i < 40; i++) users.push((await seedUser(runtime.deps)).user);
    const server = await startInstance(env);
    instances.push(server);

    let signalSent = false;
    let answeredBeforeSignal = 0;
    const outcomes: Outcome[] = [];
    const exited = new Promise<number | null>((resolve) => server.process.once("exit", (code) => resolve(code)));
    let next = 0;
    // 20 clients, each sending one login after another until the server stops accepting.
    const client = async () => {
      for (;;) {
        const user = users[next++ % users.length]!;
        try {
          const response = await fetch(`${server.url}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: user.email, password: "a wrong password, again" }) });
          await response.text();
          outcomes.push({ answered: true, status: response.status, requestId: response.headers.get("x-request-id"), afterSignal: signalSent });
          if (!signalSent && ++answeredBeforeSignal === 150) {
            signalSent = true;
            server.process.kill("SIGTERM");
          }
        } catch (error) {
          outcomes.push({ answered: false, error: failureCode(error) });
          if (signalSent) return;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    assert.equal(await exited, 0, server.output.join(""));
    instances.splice(instances.indexOf(server), 1);

    // The server's side: what it accepted, and what it finished.
    const lines = logLines(server);
    // The burst's requests (the helper's readiness probe, GET /login, is not one of them).
    const accepted = new Set(lines.filter((line) => line.msg === "incoming request" && (line.req as { url?: string }).url === "/api/login").map((line) => String(line.reqId)));
    const completed = new Set(lines.filter((line) => line.msg === "request completed").map((line) => String(line.reqId)));
    const answeredIds = new Set(outcomes.flatMap((outcome) => (outcome.answered && outcome.requestId ? [outcome.requestId] : [])));
    const unanswered = [...accepted].filter((id) => !completed.has(id) || !answeredIds.has(id));
    assert.deepEqual(unanswered, [], "every accepted request was answered");
    assert.ok(lines.some((line) => line.msg === "shut down" && line.cut === false), "no connection was cut after the grace period");

    // The burst really ran into the signal: requests accepted before it were answered after it.
    const lateAnswers = outcomes.filter((outcome) => outcome.answered && outcome.afterSignal && outcome.requestId !== null && accepted.has(outcome.requestId));
    assert.ok(lateAnswers.length > 0, "no request was in flight when the signal came");
    // Answers are login answers (401 wrong password, 429 delayed), or 503 for a request that came on a
    // kept-alive connection while closing (Fastify's return503OnClosing: answered, not run).
    for (const outcome of outcomes) if (outcome.answered) assert.ok([401, 429, 503].includes(outcome.status), JSON.stringify(outcome));
    // A request that got no answer was never accepted: the connection was refused or closed unread.
    for (const outcome of outcomes) if (!outcome.answered) assert.match(outcome.error, /^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|UND_ERR_CLOSED|EPIPE)$/, outcome.error);

    // Emails: a second process sends what the first left; each recorded event is one email.
    const expected = await sql<{ email: string }>`select u.email as email from events e join users u on u.id = e.subject_user_id where e.type = 'login.password_throttled'`.execute(runtime.db);
    assert.ok(expected.rows.length > 0, "the burst recorded throttling events");
    instances.push(await startInstance(env));
    const received = await smtp.waitFor(expected.rows.length, 30_000);
    const pending = async () => (await runtime.deps.store.messages.listMessages(1000)).filter((message) => message.status !== "sent");
    for (let waited = 0; (await pending()).length > 0; waited += 100) {
      assert.ok(waited < 30_000, `messages left: ${JSON.stringify(await pending())}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500)); // one more poll: nothing is sent again
    assert.equal(smtp.received.length, expected.rows.length, "no email twice");
    assert.deepEqual(received.map((email) => email.envelopeTo[0]).sort(), expected.rows.map((row) => row.email).sort(), "each event's email, once");
  });
});
