/**
 * Rotating the key while people log in: password + TOTP through the HTTP API
 * succeeds before the rotation (servers on k1), during it (servers restarted
 * on k2 with k1 as previous, one batch done, so some keys are sealed under k1
 * and some under k2), and after it on a server whose configuration no longer
 * has k1 at all. `keys:status` tells the operator, at each stage, whether k1
 * is still needed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { buildApp } from "../../src/http/app.js";
import { rotateSealedValues } from "../../src/services/keys/key-rotation.js";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { TestClock } from "../helpers/runtime.js";

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
const users = 5;

describe("security: logging in before, during and after a key rotation", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-rotation-login-"));
  const base = {
    TWOSTEP_ENV: "test",
    TWOSTEP_DATABASE_URL: `sqlite:${join(dir, "rotation.sqlite")}`,
    TWOSTEP_ARGON2_MEMORY_KIB: "1024",
    TWOSTEP_ARGON2_ITERATIONS: "1",
    TWOSTEP_PUBLIC_URL: "http://localhost:3000",
  };
  const onK1 = { ...base, TWOSTEP_ENCRYPTION_KEY: oldKey, TWOSTEP_ENCRYPTION_KEY_ID: "k1" };
  const onK2WithK1 = { ...base, TWOSTEP_ENCRYPTION_KEY: newKey, TWOSTEP_ENCRYPTION_KEY_ID: "k2", TWOSTEP_PREVIOUS_ENCRYPTION_KEYS: `k1:${oldKey}` };
  const onK2Only = { ...base, TWOSTEP_ENCRYPTION_KEY: newKey, TWOSTEP_ENCRYPTION_KEY_ID: "k2" };
  const clock = new TestClock();
  const running: { runtime: Runtime; api: ApiClient; close(): Promise<void> }[] = [];
  const enrolled: EnrolledUser[] = [];

  /** A server process's worth: the runtime from the configuration, and the HTTP app on it. */
  async function server(env: Record<string, string>) {
    const runtime = await createRuntime(parseConfig(env), { clock });
    const app = await buildApp({ deps: runtime.deps, cookieSecret: runtime.cookieSecret, logger: false });
    await app.ready();
    const handle = { runtime, api: new ApiClient(app), close: async () => (await app.close(), await runtime.close()) };
    running.push(handle);
    return handle;
  }

  async function logsIn(api: ApiClient, user: EnrolledUser) {
    const flowId = await api.flowFor(user.user.email, user.password);
    const done = await api.post("/api/login/second-factor", { flowId, code: nextCode(user.keyBase32, clock) });
    assert.equal(done.status, 200, `${user.user.email}: ${done.raw.body}`);
    assert.equal(typeof done.body.sessionToken, "string");
  }

  /** `twostep keys:status` under the given configuration, as an operator would run it. */
  async function keysStatus(env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
    const saved = process.env;
    process.env = { PATH: saved.PATH ?? "", ...env };
    try {
      const lines: string[] = [];
      const code = await runCli(["keys:status"], { out: (line) => lines.push(line) });
      return { code, lines };
    } finally {
      process.env = saved;
    }
  }

  before(async () => {
    const first = await server(onK1);
    for (let n = 0; n < users; n++) enrolled.push(await enrolTotp(first.runtime.deps));
  });
  after(async () => {
    for (const handle of running) await handle.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  // Each user's TOTP key, and the OpenID Connect signing key the first server start made (issue 15).
  const sealedValues = users + 1;

  it("logs in before, during and after; the old key is then not needed", async () => {
    const [onOldKey] = running;
    for (const user of enrolled) await logsIn(onOldKey!.api, user);
    assert.deepEqual(await keysStatus(onK1), { code: 0, lines: [`k1 (current): ${sealedValues} values`] });

    // Every instance restarted, one by one, with k2 current and k1 previous.
    await onOldKey!.close();
    running.length = 0;
    const [a, b] = [await server(onK2WithK1), await server(onK2WithK1)];
    assert.deepEqual(await keysStatus(onK2WithK1), {
      code: 0,
      lines: ["k2 (current): 0 values", `k1 (previous): ${sealedValues} values — still needed; run twostep keys:rotate`],
    });

    let duringChecked = false;
    const result = await rotateSealedValues(a.runtime.deps, {
      batchSize: 2,
      onBatch: async (progress) => {
        if (progress.batch !== 1) return;
        const ciphertexts = await Promise.all(enrolled.map(async (user) => (await a.runtime.deps.store.methods.findMethod(user.methodId))!.secretCiphertext));
        assert.equal(ciphertexts.filter((value) => value.startsWith("v1.k2.")).length, 2, "one batch done");
        assert.equal(ciphertexts.filter((value) => value.startsWith("v1.k1.")).length, users - 2);
        for (const [n, user] of enrolled.entries()) await logsIn(n % 2 === 0 ? a.api : b.api, user);
        duringChecked = true;
      },
    });
    assert.ok(duringChecked);
    assert.deepEqual(result, { rotated: sealedValues, skipped: 0, failed: [] });
    assert.deepEqual(await keysStatus(onK2WithK1), {
      code: 0,
      lines: [`k2 (current): ${sealedValues} values`, "k1 (previous): 0 values — can be removed from TWOSTEP_PREVIOUS_ENCRYPTION_KEYS"],
    });
    for (const user of enrolled) await logsIn(b.api, user);

    // k1 dropped from the configuration, every instance restarted again.
    await a.close();
    await b.close();
    running.length = 0;
    const last = await server(onK2Only);
    for (const user of enrolled) await logsIn(last.api, user);
    assert.deepEqual(await keysStatus(onK2Only), { code: 0, lines: [`k2 (current): ${sealedValues} values`] });
  });
});
