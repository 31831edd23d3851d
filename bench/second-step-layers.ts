/**
 * Where the SQLite wrong-code second step's CPU goes, by layer, in one process:
 *
 *   bash scripts/with-runtime.sh node --import tsx bench/second-step-layers.ts
 *
 * The real app (bench/server.ts's composition: metrics on unless BENCH_METRICS=off; both: an app of each) and the
 * hand-written baseline's app (baseline-server.ts) on one seeded SQLite file, driven with
 * `inject` (no sockets, no load generator), and `verifySecondStepCode` called alone. Five
 * measures, each in chunks of BENCH_LAYERS_CHUNK requests (default 300) taken in turn, the
 * order reversed every round, for BENCH_LAYERS_ROUNDS rounds (default 12); CPU time
 * (user + system) per request, median over the rounds with min–max:
 *
 *   twostep            POST /api/login/second-factor, a wrong code (401 invalid_code)
 *   twostep metrics off  the same on a second app built with the metrics off (BENCH_METRICS=both only)
 *   baseline           the same on the baseline's route
 *   twostep service    verifySecondStepCode alone (the store transaction, the checks, the event)
 *   twostep refused    a flowId that is not a token (401 login_expired): the HTTP layer and an empty transaction
 *   baseline refused   the same on the baseline (no transaction)
 *
 * BENCH_LAYERS_ONLY (a comma list of the names above) runs some of them.
 *
 * Less sensitive to a busy machine than `npm run bench` (CPU time, not throughput, and short
 * chunks side by side), but still a shared machine's figures. bench/README.md reads them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { generateTotp } from "../src/domain/otp/totp.js";
import { percentile } from "./paired.js";

const rounds = Number(process.env.BENCH_LAYERS_ROUNDS ?? 12);
const chunk = Number(process.env.BENCH_LAYERS_CHUNK ?? 300);
const users = 2000;
const workDir = mkdtempSync(join(tmpdir(), "twostep-layers-"));
const databasePath = join(workDir, "bench.sqlite");
Object.assign(process.env, {
  NODE_ENV: "production",
  TWOSTEP_ENV: "production",
  TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"),
  TWOSTEP_DATABASE_URL: `sqlite:${databasePath}`,
  TWOSTEP_DATA_DIR: workDir,
  TWOSTEP_PUBLIC_URL: "https://twostep.bench.invalid",
  TWOSTEP_LOG_LEVEL: "silent",
  TWOSTEP_USER_FREE_FAILURES: "100",
  TWOSTEP_ADDRESS_FREE_FAILURES: "100000",
});

const { parseConfig } = await import("../src/config.js");
const { createSqliteDatabase } = await import("../src/store/sqlite.js");
const { seedDatabase } = await import("./seed.js");
const { createOperatedRuntime } = await import("../src/operations/server-parts.js");
const { buildApp } = await import("../src/http/app.js");
const { buildBaseline } = await import("./baseline-server.js");
const { verifySecondStepCode } = await import("../src/services/login/second-step.js");

const config = parseConfig();
const sharedKey = Buffer.from("bench shared totp key");
const seeded = createSqliteDatabase(databasePath);
const { logins } = await seedDatabase(config, seeded, { users, sharedKeyUsers: users, sharedKey });
await seeded.destroy();
// A code none of the shared key's codes near now: every attempt is a wrong one (the run lasts minutes, not hours).
const step = Math.floor(Date.now() / 30_000);
const near = new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((offset) => generateTotp(sharedKey, (step + offset) * 30_000)));
let candidate = 314159;
while (near.has(String(candidate).padStart(6, "0"))) candidate++;
const code = String(candidate).padStart(6, "0");

const admin = new SQLite(databasePath);
admin.pragma("busy_timeout = 5000");
// Cleared between chunks, so no user or address reaches its limit (100 free failures).
const resetCounters = () => admin.prepare("DELETE FROM attempt_counters").run();

const metricsSetting = process.env.BENCH_METRICS ?? "on";
const metrics = metricsSetting !== "off";
/** The real app as bench/server.ts composes it, with the metrics on or off. */
async function operatedApp(withMetrics: boolean) {
  const operated = await createOperatedRuntime(config, { management: withMetrics ? { host: "127.0.0.1", port: 0 } : null, shutdownGraceSeconds: 10, logFormat: "json", trustRequestId: false });
  const app = await buildApp({ deps: operated.runtime.deps, cookieSecret: operated.runtime.cookieSecret, logger: false, genReqId: operated.genReqId, instrument: operated.instrumentApp });
  await app.ready();
  return { operated, app };
}
const { operated, app: twostep } = await operatedApp(metrics);
// BENCH_METRICS=both: a second app with the metrics off beside it, in the same process ("twostep metrics off").
// The process-wide parts of the metrics (the GC observer, the event-loop monitor) then run under both.
const unmetered = metricsSetting === "both" ? await operatedApp(false) : null;
const baseline = await buildBaseline();
await Promise.all([twostep.ready(), baseline.app.ready()]);

let next = 0;
const flowToken = () => logins[next++ % users]!.flowToken;
const viaHttp = (app: FastifyInstance, refused: boolean) => async () => {
  const answer = await app.inject({ method: "POST", url: "/api/login/second-factor", payload: { flowId: refused ? "not-a-token" : flowToken(), code }, remoteAddress: "10.0.0.1" });
  const expected = refused ? "login_expired" : "invalid_code";
  if (answer.statusCode !== 401 || !answer.body.includes(`"${expected}"`)) throw new Error(`expected 401 ${expected}, got ${answer.statusCode} ${answer.body}`);
};
const serviceAlone = async () => {
  const result = await verifySecondStepCode(operated.runtime.deps, flowToken(), { code }, { clientAddress: "10.0.0.1", userAgent: "lightMyRequest" });
  if (result.ok || result.code !== "invalid_code") throw new Error(`expected invalid_code, got ${JSON.stringify(result)}`);
};
const only = process.env.BENCH_LAYERS_ONLY?.split(",").map((name) => name.trim());
const measures = (
  [
    ["twostep", viaHttp(twostep, false)],
    ...(unmetered ? ([["twostep metrics off", viaHttp(unmetered.app, false)]] satisfies [string, () => Promise<void>][]) : []),
    ["baseline", viaHttp(baseline.app, false)],
    ["twostep service", serviceAlone],
    ["twostep refused", viaHttp(twostep, true)],
    ["baseline refused", viaHttp(baseline.app, true)],
  ] satisfies [string, () => Promise<void>][]
).filter(([name]) => !only || only.includes(name));

/** CPU µs per request over one chunk. */
async function chunkOf(request: () => Promise<void>): Promise<number> {
  resetCounters();
  const start = process.cpuUsage();
  for (let i = 0; i < chunk; i++) await request();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / chunk;
}

for (const [, request] of measures) await chunkOf(request); // warm-up: compile the routes' schemas, the statements, the JIT
const perRequest = new Map<string, number[]>(measures.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, request] of round % 2 === 0 ? measures : [...measures].reverse()) perRequest.get(name)!.push(await chunkOf(request));
}

console.log(`CPU per request, median over ${rounds} chunks of ${chunk} (min–max); metrics ${metricsSetting}; node ${process.version}`);
for (const [name, values] of perRequest) {
  console.log(`${name.padEnd(18)} ${percentile(values, 50).toFixed(0).padStart(5)} µs  (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`);
}
const on = perRequest.get("twostep");
const off = perRequest.get("twostep metrics off");
if (on && off) {
  // Each round's two chunks ran side by side: their ratio is steadier than the medians' on a busy machine.
  const ratios = on.map((value, round) => value / off[round]!);
  console.log(`twostep ÷ twostep metrics off, per round: median ${percentile(ratios, 50).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}×)`);
}
await twostep.close();
if (unmetered) {
  await unmetered.app.close();
  await unmetered.operated.runtime.close();
}
await baseline.close();
await operated.management?.close();
await operated.runtime.close();
admin.close();
rmSync(workDir, { recursive: true, force: true });
