/**
 * SPEC O3 across instances: two real server processes on one database
 * (PostgreSQL under TWOSTEP_TEST_DATABASE=postgres, else one SQLite file), both
 * dispatchers polling every second. Sixty emails committed at once, to sixty
 * users, arrive at the SMTP server exactly once each: a row is claimed by one
 * conditional write, so the two never both send it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { recordEvent } from "../../src/services/events/audit.js";
import { createSharedDatabase, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";
import { startSmtpServer, type LocalSmtpServer } from "../helpers/smtp.js";

const count = 60;

describe("two instances send each email once", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let smtp: LocalSmtpServer;
  let instances: Instance[] = [];

  before(async () => {
    database = await createSharedDatabase();
    smtp = await startSmtpServer();
    const env = instanceEnv(database.url, {
      TWOSTEP_EMAIL_GATEWAY: "smtp",
      TWOSTEP_SMTP_URL: smtp.url,
      TWOSTEP_EMAIL_FROM: "no-reply@example.test",
      TWOSTEP_EMAIL_POLL_SECONDS: "1",
    });
    runtime = await createRuntime(parseConfig(env));
    instances = await Promise.all([startInstance(env), startInstance(env)]);
  });
  after(async () => {
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await smtp?.close();
    await runtime?.close();
    await database?.drop();
  });

  it(`${count} emails committed while both dispatchers run arrive exactly once each`, async () => {
    const users = await Promise.all(Array.from({ length: count }, () => seedUser(runtime.deps).then((seeded) => seeded.user)));
    // One burst of commits, so both dispatchers find many due rows at the same polls.
    await Promise.all(
      users.map((user) => recordEvent(runtime.deps, runtime.deps.store, { type: "login.locked_out", subject: user, actor: null, context: { clientAddress: null, userAgent: null } })),
    );
    await smtp.waitFor(count, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // two more polls each: nothing is sent again
    const recipients = smtp.received.map((email) => email.envelopeTo.join(","));
    assert.equal(recipients.length, count);
    assert.deepEqual(new Set(recipients), new Set(users.map((user) => user.email)), "each user's email arrived");
    assert.ok(smtp.received.every((email) => email.parsed.subject === "Sign-in locked after wrong codes"));
    const rows = (await runtime.deps.store.messages.listMessages(1000)).filter((message) => users.some((user) => user.email === message.recipient));
    assert.deepEqual(rows.map((row) => [row.status, row.attempts]), Array.from({ length: count }, () => ["sent", 1]), "each claimed once, sent at the first try");
  });
});
