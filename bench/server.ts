/**
 * The server side of the benchmark, run as a child process of bench/run.ts so
 * that its RSS is its own and not the load generator's.
 *
 *   node --import tsx bench/server.ts twostep   the real app (config from the environment)
 *   node --import tsx bench/server.ts bare      a minimal Fastify app, the floor to compare with
 *   node --import tsx bench/server.ts baseline  the hand-written second step and the argon2id-only route (bench/baseline-server.ts)
 *   node --import tsx bench/server.ts baseline-postgres  the hand-written second step on PostgreSQL (bench/baseline-postgres.ts)
 *
 * It listens on an ephemeral port and talks to the parent over IPC:
 *   → { type: "ready", port, rss }
 *   ← { type: "rss-reset" }            once no request is in flight, start a new max-RSS (and CPU-time) window → { type: "rss-reset-done" }
 *   ← { type: "rss-report", id }       → { type: "rss", id, maxRss, rss, heapUsed, cpuUserMicros, cpuSystemMicros, memory, loopDelayMs, databaseStatements }
 *   ← { type: "shutdown" }             close and exit 0 (so --cpu-prof files get written)
 *
 * With BENCH_COUNT_QUERIES=1 every statement sent through `pg` (Client.prototype.query, which
 * Kysely's PostgresDialect and pool.query both end in; BEGIN and COMMIT included) is counted,
 * and `databaseStatements` is the count since the last rss-reset, taken when the requests that
 * reached a handler since then have all finished, with `requests` their number: each statement is one
 * round trip to the database, as neither side pipelines. Off, pg is not even loaded (the SQLite
 * servers' RSS).
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Fastify, { type FastifyInstance } from "fastify";

type ParentMessage = { type: "rss-reset" } | { type: "rss-report"; id: number } | { type: "shutdown" };

const modes = ["twostep", "bare", "baseline", "baseline-postgres"] as const;
const mode = process.argv[2] as (typeof modes)[number];
if (!modes.includes(mode)) throw new Error(`usage: bench/server.ts ${modes.join("|")}, not ${String(mode)}`);
if (!process.send) throw new Error("bench/server.ts must be started by bench/run.ts (it needs an IPC channel)");

let maxRss = process.memoryUsage.rss();
let cpuStart = process.cpuUsage();
// How long the event loop was blocked (one synchronous stretch: a GC pause, a WAL checkpoint, a long request).
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > maxRss) maxRss = rss;
};
setInterval(sample, 25).unref();

let databaseStatements: number | null = null;
if (process.env.BENCH_COUNT_QUERIES === "1") {
  const { default: pg } = await import("pg");
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  databaseStatements = 0;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    databaseStatements!++;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** Resident memory split from /proc/self/smaps_rollup (Linux); null elsewhere. */
function residentSplit(): { anonymous: number | null; fileBacked: number | null } {
  try {
    const text = readFileSync("/proc/self/smaps_rollup", "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
    const anonymous = kib("Anonymous");
    return { anonymous, fileBacked: kib("Rss") - anonymous };
  } catch {
    return { anonymous: null, fileBacked: null };
  }
}

/**
 * The real app as serve.ts composes it (src/operations/server-parts.ts: request ids, and with
 * BENCH_METRICS=on, the default, the metrics and a management listener on a free loopback port;
 * with off, no metrics at all: the bench's "metrics" phase runs both in one sitting).
 */
async function buildTwostep(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const { parseConfig } = await import("../src/config.js");
  const { createOperatedRuntime } = await import("../src/operations/server-parts.js");
  const { buildApp } = await import("../src/http/app.js");
  const config = parseConfig();
  const metrics = (process.env.BENCH_METRICS ?? "on") === "on";
  const operated = await createOperatedRuntime(config, { management: metrics ? { host: "127.0.0.1", port: 0 } : null, shutdownGraceSeconds: 10, logFormat: "json", trustRequestId: false });
  const app = await buildApp({ deps: operated.runtime.deps, cookieSecret: operated.runtime.cookieSecret, logger: false, genReqId: operated.genReqId, instrument: operated.instrumentApp });
  await operated.management?.listen({ host: "127.0.0.1", port: 0 });
  return {
    app,
    close: async () => {
      await operated.management?.close();
      await operated.runtime.close();
    },
  };
}

async function buildBare(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  // Same shape as the real endpoint: a POST whose small JSON body Fastify parses, answered with small JSON.
  app.post("/bare", async (request) => {
    const body = request.body as { flowId?: unknown };
    return { status: "ok", seen: typeof body.flowId === "string" };
  });
  // Beside forward auth (bench/apps.ts): a GET answered 200 with one header and no body.
  app.get("/bare-get", async (_request, reply) => reply.code(200).header("remote-user", "bench").send());
  return { app, close: async () => {} };
}

const builders = {
  twostep: buildTwostep,
  bare: buildBare,
  baseline: async () => (await import("./baseline-server.js")).buildBaseline(),
  "baseline-postgres": async () => (await import("./baseline-postgres.js")).buildPostgresBaseline(),
};
const { app, close } = await builders[mode]();
// Requests in flight, and handled since the last reset: the statement count covers whole requests.
let inFlight = 0;
let requests = 0;
app.server.on("request", (_request, response) => {
  inFlight++;
  response.on("close", () => inFlight--);
});
// Requests that reached their handler (a request the load generator dropped before its body never does).
app.addHook("preHandler", async () => {
  requests++;
});
/**
 * Resolves when no request is in flight and no statement was sent for 100 ms (or after 5 s): a
 * request whose client hung up counts as closed while its handler still waits on the database.
 */
const drained = async () => {
  let last = { statements: databaseStatements, at: Date.now() };
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (databaseStatements !== last.statements || inFlight > 0) last = { statements: databaseStatements, at: Date.now() };
    else if (Date.now() - last.at >= 100 || databaseStatements === null) return;
  }
};
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
if (address === null || typeof address === "string") throw new Error("expected a TCP address");
sample();

process.on("message", (message: ParentMessage) => {
  if (message.type === "rss-reset") {
    void drained().then(() => {
      maxRss = process.memoryUsage.rss();
      cpuStart = process.cpuUsage();
      loopDelay.reset();
      if (databaseStatements !== null) databaseStatements = 0;
      requests = 0;
      process.send!({ type: "rss-reset-done" });
    });
  } else if (message.type === "rss-report") {
    sample();
    const cpu = process.cpuUsage(cpuStart);
    const usage = process.memoryUsage();
    // With --expose-gc (BENCH_SERVER_NODE_ARGS) also what survives a full collection: tells garbage from retention.
    const gc = (globalThis as { gc?: () => void }).gc;
    let heapUsedAfterGc: number | null = null;
    if (gc) {
      gc();
      heapUsedAfterGc = process.memoryUsage().heapUsed;
    }
    const memory = { heapTotal: usage.heapTotal, heapUsed: usage.heapUsed, heapUsedAfterGc, external: usage.external, ...residentSplit() };
    const report = { type: "rss", id: message.id, maxRss, rss: usage.rss, heapUsed: usage.heapUsed, cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system, memory, loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 } };
    // The statements once the requests the load generator left in flight have finished (their CPU is not waited for).
    void drained().then(() => process.send!({ ...report, databaseStatements: databaseStatements === null ? null : { statements: databaseStatements, requests } }));
  } else if (message.type === "shutdown") {
    void (async () => {
      await app.close();
      await close();
      process.exit(0);
    })();
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ type: "ready", port: address.port, rss: process.memoryUsage.rss() });
