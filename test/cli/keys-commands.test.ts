/** keys:rotate and keys:status in-process: bad options are refused before anything is touched; values that cannot open make both exit 1. */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRuntime } from "../../src/bootstrap.js";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { createSecretBox, decodeEncryptionKey } from "../../src/security/secret-box.js";
import { seedUser } from "../helpers/runtime.js";

describe("keys:rotate and keys:status", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-keys-cli-"));
  const oldKey = randomBytes(32).toString("base64");
  const env = {
    TWOSTEP_ENV: "test",
    TWOSTEP_DATABASE_URL: `sqlite:${join(dir, "keys.sqlite")}`,
    TWOSTEP_ARGON2_MEMORY_KIB: "1024",
    TWOSTEP_ARGON2_ITERATIONS: "1",
    TWOSTEP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    TWOSTEP_ENCRYPTION_KEY_ID: "k2",
    TWOSTEP_PREVIOUS_ENCRYPTION_KEYS: `k1:${oldKey}`,
  };
  const strayId = randomUUID();
  const oldId = randomUUID();

  async function run(argv: string[], extra: Record<string, string> = {}) {
    const saved = process.env;
    process.env = { PATH: saved.PATH ?? "", ...env, ...extra };
    try {
      const lines: string[] = [];
      const code = await runCli(argv, { out: (line) => lines.push(line) });
      return { code, lines };
    } finally {
      process.env = saved;
    }
  }

  async function ciphertextOf(id: string): Promise<string | undefined> {
    const runtime = await createRuntime(parseConfig(env));
    try {
      return (await runtime.deps.store.methods.findMethod(id))?.secretCiphertext;
    } finally {
      await runtime.close();
    }
  }

  before(async () => {
    const runtime = await createRuntime(parseConfig(env));
    try {
      const { user } = await seedUser(runtime.deps);
      const k0 = createSecretBox(decodeEncryptionKey("k0", randomBytes(32).toString("base64")));
      const k1 = createSecretBox(decodeEncryptionKey("k1", oldKey));
      for (const [id, ciphertext] of [[strayId, k0.seal(Buffer.from("stray"), strayId)], [oldId, k1.seal(Buffer.from("old"), oldId)]] as const) {
        await runtime.deps.store.methods.insertMethod({
          id, userId: user.id, type: "totp", name: "app", status: "active", isDefault: false, secretCiphertext: ciphertext,
          lastUsedStep: null, replacesMethodId: null, createdAt: 0, confirmedAt: 0, lastUsedAt: null, pendingExpiresAt: null, displayHint: null,
        });
      }
    } finally {
      await runtime.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a batch size that is not a whole number from 1 to 100000, and changes nothing", async () => {
    const before = await ciphertextOf(oldId);
    for (const size of ["0", "-1", "1.5", "abc", "100001", "", " 5"]) {
      const result = await run(["keys:rotate", `--batch-size=${size}`]);
      assert.equal(result.code, 2, size);
      assert.deepEqual(result.lines, ["--batch-size must be a whole number from 1 to 100000"]);
    }
    for (const argv of [["keys:rotate", "--batch"], ["keys:rotate", "--batch-size"], ["keys:status", "--all"]]) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.lines.join("\n"), /^keys:(rotate|status): /);
    }
    const pause = await run(["keys:rotate"], { TWOSTEP_KEYS_ROTATE_BATCH_PAUSE_MS: "soon" });
    assert.equal(pause.code, 2);
    assert.match(pause.lines.join("\n"), /TWOSTEP_KEYS_ROTATE_BATCH_PAUSE_MS must be a whole number/);
    assert.equal(await ciphertextOf(oldId), before);
  });

  it("says which values cannot be opened, by row id, and exits 1; the rest is rotated", async () => {
    const before = await run(["keys:status"]);
    assert.equal(before.code, 1);
    assert.deepEqual(before.lines, [
      "k2 (current): 0 values",
      "k1 (previous): 1 value — still needed; run twostep keys:rotate",
      "k0 (not configured): 1 value — cannot be opened; add the key to TWOSTEP_PREVIOUS_ENCRYPTION_KEYS, then run twostep keys:rotate",
    ]);
    const rotated = await run(["keys:rotate"]);
    assert.equal(rotated.code, 1);
    assert.deepEqual(rotated.lines, [
      'Rotating sealed values to key "k2", 500 a batch.',
      "batch 1 (methods.secret_ciphertext): 1 rotated, 0 skipped, 1 failed",
      `failed: methods.secret_ciphertext row ${strayId}: sealed under key "k0", which is not configured`,
      "Done: 1 rotated, 0 skipped (changed by a running server meanwhile), 1 failed.",
      "Some values did not open: configure the key they name in TWOSTEP_PREVIOUS_ENCRYPTION_KEYS and run again, or remove those methods.",
    ]);
    assert.match((await ciphertextOf(oldId))!, /^v1\.k2\./);
    const after = await run(["keys:status"]);
    assert.equal(after.code, 1);
    assert.equal(after.lines[1], "k1 (previous): 0 values — can be removed from TWOSTEP_PREVIOUS_ENCRYPTION_KEYS");
  });
});
