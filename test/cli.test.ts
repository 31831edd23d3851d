/** The `twostep` command line drives services end to end on a real database (a SQLite file, or a PostgreSQL schema: see helpers/database.ts). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../src/cli/index.js";
import { parseConfig } from "../src/config.js";
import { createRuntime } from "../src/bootstrap.js";
import { effectivePolicyFor } from "../src/services/policy/policy.js";
import { createTestDatabaseUrl } from "./helpers/database.js";
import { testKeyBase64 } from "./helpers/runtime.js";

describe("twostep command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-cli-"));
  let database: { url: string; close(): Promise<void> } | undefined;
  const env = {
    TWOSTEP_ENV: "test",
    TWOSTEP_DATABASE_URL: "",
    TWOSTEP_ENCRYPTION_KEY: testKeyBase64,
    TWOSTEP_ARGON2_MEMORY_KIB: "1024",
    TWOSTEP_ARGON2_ITERATIONS: "1",
  };
  const saved = { ...process.env };
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli(argv, { out: (line) => lines.push(line) });
    return { code, output: lines.join("\n") };
  };
  before(async () => {
    database = await createTestDatabaseUrl(dir);
    env.TWOSTEP_DATABASE_URL = database.url;
    Object.assign(process.env, env);
  });
  after(async () => {
    process.env = saved;
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrates, then says the database is up to date", async () => {
    assert.match((await run("migrate")).output, /Applied: 0001-initial/);
    assert.match((await run("migrate")).output, /up to date/);
  });

  it("loads the demo data once", async () => {
    const first = await run("demo:load");
    assert.equal(first.code, 0);
    assert.match(first.output, /admin@acme.test/);
    assert.match((await run("demo:load")).output, /already loaded/);
  });

  it("creates users, refusing bad input with a clear message", async () => {
    const ok = await run("users:create", "--email", "ops@platform.test", "--password", "a long enough password", "--role", "support");
    assert.equal(ok.code, 0, ok.output);
    const dup = await run("users:create", "--email", "ops@platform.test", "--password", "a long enough password", "--role", "support");
    assert.equal(dup.code, 2);
    assert.match(dup.output, /already exists/);
    const short = await run("users:create", "--email", "x@y.test", "--password", "short");
    assert.match(short.output, /at least 12 characters/);
    const wrongRole = await run("users:create", "--email", "x@y.test", "--password", "a long enough password", "--role", "root");
    assert.equal(wrongRole.code, 2);
    const reseller = await run("users:create", "--email", "boss@newreseller.test", "--password", "a long enough password", "--account", "New Reseller", "--parent", "twostep platform");
    assert.match(reseller.output, /Created reseller account "New Reseller"/);
  });

  it("sets an account's policy, which the services then apply", async () => {
    const result = await run("policy:set", "--account", "Globex Ltd", "--recovery-code-policy", "disable", "--rotate-password-on-disable", "true", "--remember-browser-days", "7", "--new-sign-in-email", "off");
    assert.equal(result.code, 0, result.output);
    assert.equal((await run("policy:set", "--account", "Globex Ltd", "--new-sign-in-email", "maybe")).code, 2);
    assert.equal((await run("policy:set", "--account", "Globex Ltd", "--recovery-code-policy", "maybe")).code, 2);
    assert.equal((await run("policy:set", "--account", "Globex Ltd", "--remember-browser-days", "forever")).code, 2);
    assert.equal((await run("policy:set", "--account", "Globex Ltd", "--remember-browser-days", "400")).code, 2);
    const runtime = await createRuntime(parseConfig(env));
    try {
      const user = await runtime.deps.store.accounts.findUserByEmail("customer@globex.test");
      const policy = await effectivePolicyFor(runtime.deps, user!);
      assert.equal(policy.recoveryCodePolicy, "disable");
      assert.equal(policy.rotatePasswordOnDisable, true);
      assert.equal(policy.rememberBrowserDays, 7);
      assert.equal(policy.newSignInEmail, false);
      assert.deepEqual(policy.allowedMethods, ["totp", "webauthn"]);
    } finally {
      await runtime.close();
    }
  });

  it("prints usage for an unknown command", async () => {
    const result = await run("frobnicate");
    assert.equal(result.code, 2);
    assert.match(result.output, /Unknown command/);
  });
});
