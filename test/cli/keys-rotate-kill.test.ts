/**
 * `twostep keys:rotate` as a real process, killed with SIGKILL inside a batch
 * (its writes made, its commit not): the batches committed before are fully
 * under the new key, the one in flight is fully under the old one, and a
 * second run finishes the job. Every value then opens to the secret it held
 * before, under the new key alone, and no row is lost.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { createRuntime } from "../../src/bootstrap.js";
import { parseConfig } from "../../src/config.js";
import { createSecretBox, decodeEncryptionKey } from "../../src/security/secret-box.js";
import { seedUser } from "../helpers/runtime.js";

const root = join(import.meta.dirname, "../../");
const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
const column = "methods.secret_ciphertext" as const;
const rows = 200;
const batchSize = 7;

/** Runs the CLI in a child process; `onLine` sees each stdout line as it comes. */
function cli(args: string[], env: Record<string, string>, onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env } });
  const lines: string[] = [];
  let pending = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const line of parts) (lines.push(line), onLine(line, child));
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, lines, done, stderr: () => stderr };
}

describe("keys:rotate killed midway, then run again", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-keys-kill-"));
  const base = {
    TWOSTEP_ENV: "test",
    TWOSTEP_DATABASE_URL: `sqlite:${join(dir, "kill.sqlite")}`,
    TWOSTEP_ARGON2_MEMORY_KIB: "1024",
    TWOSTEP_ARGON2_ITERATIONS: "1",
  };
  const oldConfig = { ...base, TWOSTEP_ENCRYPTION_KEY: oldKey, TWOSTEP_ENCRYPTION_KEY_ID: "k1" };
  const rotatingConfig = { ...base, TWOSTEP_ENCRYPTION_KEY: newKey, TWOSTEP_ENCRYPTION_KEY_ID: "k2", TWOSTEP_PREVIOUS_ENCRYPTION_KEYS: `k1:${oldKey}` };
  /** method id → the secret it holds (a TOTP key or a phone number). */
  const secrets = new Map<string, string>();

  /** id → ciphertext of every method, read through a runtime with both keys. */
  async function stored(): Promise<Map<string, string>> {
    const runtime = await createRuntime(parseConfig(rotatingConfig));
    try {
      const all = await runtime.deps.store.sealedValues.listSealedValues(column, { notUnderKeyIds: [], afterId: null, limit: 10_000 });
      return new Map(all.map((value) => [value.id, value.ciphertext]));
    } finally {
      await runtime.close();
    }
  }

  before(async () => {
    // 200 methods written straight through the store under k1, half TOTP keys, half phone numbers.
    const runtime = await createRuntime(parseConfig(oldConfig));
    try {
      const { user } = await seedUser(runtime.deps);
      for (let n = 0; n < rows; n++) {
        const id = randomUUID();
        const type = n % 2 === 0 ? "totp" : "sms";
        const secret = type === "totp" ? randomBytes(20).toString("base64") : `+4474001${String(n).padStart(5, "0")}`;
        secrets.set(id, secret);
        await runtime.deps.store.methods.insertMethod({
          id,
          userId: user.id,
          type,
          name: type,
          status: "active",
          isDefault: false,
          secretCiphertext: runtime.deps.secretBox.seal(Buffer.from(secret), id),
          lastUsedStep: null,
          replacesMethodId: null,
          createdAt: n,
          confirmedAt: n,
          lastUsedAt: null,
          pendingExpiresAt: null,
          displayHint: null,
        });
      }
    } finally {
      await runtime.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves each batch fully old or fully new when killed, and finishes on the next run", async () => {
    const committedBeforeKill = 3;
    let killedAfter = 0;
    // Each batch waits 1 s between its writes and its commit: after the 3rd batch's line, the 4th is written but not committed.
    const first = cli(["keys:rotate", "--batch-size", String(batchSize)], { ...rotatingConfig, TWOSTEP_KEYS_ROTATE_BATCH_PAUSE_MS: "1000" }, (line, child) => {
      if (line.startsWith(`batch ${committedBeforeKill} `)) {
        killedAfter = committedBeforeKill;
        setTimeout(() => child.kill("SIGKILL"), 300);
      }
    });
    const exit = await first.done;
    assert.equal(exit.signal, "SIGKILL", `the process was killed (output: ${first.lines.join(" | ")} ${first.stderr()})`);
    assert.equal(killedAfter, committedBeforeKill);
    assert.ok(!first.lines.some((line) => line.startsWith("Done")), "it did not finish");

    const midway = await stored();
    assert.equal(midway.size, rows, "no row lost");
    const sortedIds = [...midway.keys()].sort();
    const underNew = sortedIds.filter((id) => midway.get(id)!.startsWith("v1.k2."));
    // Batches go in id order: exactly the first three batches are new, the one in flight rolled back whole.
    assert.deepEqual(underNew, sortedIds.slice(0, committedBeforeKill * batchSize));
    assert.ok(sortedIds.slice(committedBeforeKill * batchSize).every((id) => midway.get(id)!.startsWith("v1.k1.")));

    const second = cli(["keys:rotate", "--batch-size", String(batchSize)], rotatingConfig);
    const finished = await second.done;
    assert.equal(finished.code, 0, second.lines.join("\n") + second.stderr());
    assert.equal(second.lines.at(-1), `Done: ${rows - committedBeforeKill * batchSize} rotated, 0 skipped (changed by a running server meanwhile), 0 failed.`);

    const end = await stored();
    assert.equal(end.size, rows, "no row lost");
    const onlyNew = createSecretBox(decodeEncryptionKey("k2", newKey));
    for (const [id, secret] of secrets) {
      const ciphertext = end.get(id);
      assert.ok(ciphertext?.startsWith("v1.k2."), `method ${id} is under k2`);
      assert.equal(onlyNew.open(ciphertext!, id).toString(), secret, "opens to its original secret with the new key alone");
    }
    const status = cli(["keys:status"], rotatingConfig);
    assert.equal((await status.done).code, 0);
    assert.deepEqual(status.lines, [`k2 (current): ${rows} values`, "k1 (previous): 0 values — can be removed from TWOSTEP_PREVIOUS_ENCRYPTION_KEYS"]);
    for (const line of [...first.lines, ...second.lines, ...status.lines]) {
      assert.ok(!line.includes(oldKey) && !line.includes(newKey), "no key is printed");
      assert.ok(![...secrets.values()].some((secret) => line.includes(secret)), "no secret is printed");
    }
  });
});
