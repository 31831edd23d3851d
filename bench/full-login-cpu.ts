/**
 * The main thread's CPU per full login (password step, then the right TOTP code), in one process:
 *
 *   bash scripts/with-runtime.sh node --max-semi-space-size=4 --import tsx bench/full-login-cpu.ts
 *
 * The real app (bench/server.ts's composition, metrics on) on a seeded SQLite file, driven with `inject`
 * (no sockets, no load generator), 10 logins at once, in chunks of 100; `process.threadCpuUsage()`
 * counts this thread only, so argon2id, which runs on libuv's thread pool, is left out: what is left
 * is twostep's own work per login (HTTP, the statements, the checks), which in `npm run bench`'s
 * full-login row competes with argon2id for the same cores. Median and quartiles over 35 chunks (the
 * first 5 are a warm-up). A shared machine's figures: compare runs side by side.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTotp } from "../src/domain/otp/totp.js";
import { percentile } from "./paired.js";
const workDir = mkdtempSync(join(tmpdir(), "twostep-logincpu-"));
const databasePath = join(workDir, "bench.sqlite");
Object.assign(process.env, { NODE_ENV: "production", TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"), TWOSTEP_DATABASE_URL: `sqlite:${databasePath}`, TWOSTEP_DATA_DIR: workDir, TWOSTEP_PUBLIC_URL: "https://twostep.bench.invalid", TWOSTEP_LOG_LEVEL: "silent" });
const { parseConfig } = await import("../src/config.js");
const { createSqliteDatabase } = await import("../src/store/sqlite.js");
const { seedDatabase, benchPassword } = await import("./seed.js");
const { createOperatedRuntime } = await import("../src/operations/server-parts.js");
const { buildApp } = await import("../src/http/app.js");
const config = parseConfig();
const users = 4000;
const seeded = createSqliteDatabase(databasePath);
const { logins } = await seedDatabase(config, seeded, { users, sharedKeyUsers: 0, sharedKey: Buffer.from("x") });
await seeded.destroy();
const operated = await createOperatedRuntime(config, { management: { host: "127.0.0.1", port: 0 }, shutdownGraceSeconds: 10, logFormat: "json", trustRequestId: false });
const app = await buildApp({ deps: operated.runtime.deps, cookieSecret: operated.runtime.cookieSecret, logger: false, genReqId: operated.genReqId, instrument: operated.instrumentApp });
await app.ready();
let next = 0;
async function login() {
  const i = next++;
  const headers = { "user-agent": "twostep-bench" };
  const first = await app.inject({ method: "POST", url: "/api/login", payload: { email: `bench-${i}@example.test`, password: benchPassword }, remoteAddress: "10.0.0.1", headers });
  const flowId = JSON.parse(first.body).flowId;
  const second = await app.inject({ method: "POST", url: "/api/login/second-factor", payload: { flowId, code: generateTotp(logins[i]!.key, Date.now()) }, remoteAddress: "10.0.0.1", headers });
  if (second.statusCode !== 200) throw new Error(second.body);
}
const chunk = 100;
const results: number[] = [];
for (let round = 0; round < users / chunk; round++) {
  const start = process.threadCpuUsage();
  await Promise.all(Array.from({ length: 10 }, async () => { for (let k = 0; k < chunk / 10; k++) await login(); }));
  const used = process.threadCpuUsage(start);
  if (round >= 5) results.push((used.user + used.system) / chunk);
}
const at = (p: number) => percentile(results, p).toFixed(0);
console.log(`main-thread CPU per full login: median ${at(50)} µs (p25 ${at(25)}, p75 ${at(75)}), ${results.length} chunks of ${chunk}`);
process.exit(0);
