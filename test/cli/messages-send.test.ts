/** `twostep messages:send`: one dispatcher pass by hand, through the configured gateway (a real local SMTP server here). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { createRuntime } from "../../src/bootstrap.js";
import { recordEvent } from "../../src/services/events/audit.js";
import { createTestDatabaseUrl } from "../helpers/database.js";
import { seedUser, testKeyBase64 } from "../helpers/runtime.js";
import { startSmtpServer, type LocalSmtpServer } from "../helpers/smtp.js";

describe("twostep messages:send", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-messages-"));
  let database: { url: string; close(): Promise<void> } | undefined;
  let smtp: LocalSmtpServer;
  const saved = { ...process.env };
  before(async () => {
    database = await createTestDatabaseUrl(dir);
    smtp = await startSmtpServer();
    Object.assign(process.env, {
      TWOSTEP_ENV: "test",
      TWOSTEP_DATABASE_URL: database.url,
      TWOSTEP_ENCRYPTION_KEY: testKeyBase64,
      TWOSTEP_ARGON2_MEMORY_KIB: "1024",
      TWOSTEP_ARGON2_ITERATIONS: "1",
      TWOSTEP_EMAIL_GATEWAY: "smtp",
      TWOSTEP_SMTP_URL: smtp.url,
      TWOSTEP_EMAIL_FROM: "no-reply@example.test",
    });
  });
  after(async () => {
    process.env = saved;
    await smtp?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends what is due once, and a second run finds nothing", async () => {
    const runtime = await createRuntime(parseConfig());
    const { user } = await seedUser(runtime.deps);
    await recordEvent(runtime.deps, runtime.deps.store, { type: "recovery_codes.generated", subject: user, context: { clientAddress: null, userAgent: null } });
    await runtime.close();
    const lines: string[] = [];
    assert.equal(await runCli(["messages:send"], { out: (line) => lines.push(line) }), 0);
    assert.deepEqual(lines, ["sent 1, to retry 0, given up 0"]);
    assert.deepEqual(smtp.received.map((email) => [email.envelopeTo.join(), email.parsed.subject]), [[user.email, "New recovery codes"]]);
    assert.equal(await runCli(["messages:send"], { out: (line) => lines.push(line) }), 0);
    assert.equal(lines.at(-1), "sent 0, to retry 0, given up 0");
    assert.equal(await runCli(["messages:send", "--now"], { out: (line) => lines.push(line) }), 2, "unknown options are refused");
  });
});
