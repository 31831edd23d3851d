/** keys:rotate-signing in-process: adds a key (printing its id, never the key), refuses unknown options without touching anything. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRuntime } from "../../src/bootstrap.js";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { loadSigningJwks } from "../../src/services/apps/signing-keys.js";
import { createTestDatabaseUrl } from "../helpers/database.js";
import { testKeyBase64 } from "../helpers/runtime.js";

describe("keys:rotate-signing", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-signing-cli-"));
  let database: { url: string; close(): Promise<void> } | undefined;
  const env: Record<string, string> = { TWOSTEP_ENV: "test", TWOSTEP_ENCRYPTION_KEY: testKeyBase64, TWOSTEP_ARGON2_MEMORY_KIB: "1024", TWOSTEP_ARGON2_ITERATIONS: "1" };
  const run = async (...argv: string[]) => {
    const saved = process.env;
    process.env = { PATH: saved.PATH ?? "", ...env };
    try {
      const lines: string[] = [];
      return { code: await runCli(argv, { out: (line) => lines.push(line) }), output: lines.join("\n") };
    } finally {
      process.env = saved;
    }
  };
  const withRuntime = async <T>(work: (runtime: Awaited<ReturnType<typeof createRuntime>>) => Promise<T>) => {
    const runtime = await createRuntime(parseConfig(env));
    try {
      return await work(runtime);
    } finally {
      await runtime.close();
    }
  };
  before(async () => {
    database = await createTestDatabaseUrl(dir);
    env.TWOSTEP_DATABASE_URL = database.url;
  });
  after(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds a signing key next to the first one and prints only its id", async () => {
    const first = await withRuntime(async ({ deps }) => (await loadSigningJwks(deps))[0]!);
    const result = await run("keys:rotate-signing");
    assert.equal(result.code, 0, result.output);
    const keys = await withRuntime(({ deps }) => deps.store.signingKeys.listSigningKeys());
    assert.equal(keys.length, 2);
    const added = keys.find((key) => key.id !== first.kid)!;
    assert.match(result.output, new RegExp(`Added signing key ${added.id}`));
    assert.ok(!result.output.includes(first.d!), "no private key material is printed");
    assert.equal(keys.find((key) => key.id === first.kid)?.retiredAt !== null, true, "the old key is marked retired");
  });

  it("refuses an unknown option and adds nothing", async () => {
    const result = await run("keys:rotate-signing", "--now");
    assert.equal(result.code, 2);
    assert.match(result.output, /Unknown option/);
    assert.equal((await withRuntime(({ deps }) => deps.store.signingKeys.listSigningKeys())).length, 2);
  });
});
