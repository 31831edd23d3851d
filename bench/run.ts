/**
 * `npm run bench`: one run, one table.
 *
 *   1. TOTP verification (findTotpStep, ±1 window, wrong code → 3 HMACs) against
 *      raw HMAC-SHA1 from node:crypto, measured in this process.
 *   2. POST /api/login/second-factor with a wrong and with a right code, and a bare
 *      Fastify route, each at 50 connections with autocannon (warm-up, then measure).
 *      Each server runs in its own child process (bench/server.ts); this process is
 *      only the load generator.
 *   3. The twostep server's max RSS under that load, sampled inside the server.
 *
 * Results go to stdout (markdown) and bench/results/latest.json. The exit code is 0
 * even when a target is missed: this is a report, not a gate.
 *
 * Knobs (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2),
 * BENCH_CONNECTIONS (default 50), BENCH_USERS (default 60000),
 * BENCH_DB_DIR (where the temp SQLite file goes, default the OS temp dir),
 * BENCH_SERVER_RUNTIME (compiled | tsx, default compiled: the servers run as plain JS
 * compiled by tsc into node_modules/.cache/twostep-bench, as in production; tsx alone
 * adds ~45 MB of RSS), BENCH_SERVER_NODE_ARGS (extra node flags for the server children,
 * e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_ONLY (comma list of totp,bare,wrong,right).
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import autocannon, { type RequestData, type Result } from "autocannon";
import { parseConfig } from "../src/config.js";
import { generateTotp } from "../src/domain/otp/totp.js";
import { seedDatabase, type SeededLogin } from "./seed.js";
import { runTotpMicro, type TotpMicroResult } from "./totp-micro.js";

const benchDir = dirname(fileURLToPath(import.meta.url));
const projectDir = dirname(benchDir);
const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const duration = number("BENCH_DURATION", 10);
const warmup = number("BENCH_WARMUP", 2);
const connections = number("BENCH_CONNECTIONS", 50);
const userCount = number("BENCH_USERS", 60_000);
/** Users whose flows the wrong-code run cycles through (shared key, so the generator knows a wrong code cheaply). */
const wrongPoolSize = 5_000;
if (userCount < 2 * wrongPoolSize) throw new Error(`BENCH_USERS must be at least ${2 * wrongPoolSize} (the first ${wrongPoolSize} users are the wrong-code pool)`);
const only = new Set((process.env.BENCH_ONLY ?? "totp,bare,wrong,right").split(",").map((part) => part.trim()));
/** The twostep server runs with the same node flags as in production (package.json config.serverNodeFlags). */
const productionNodeFlags = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { config: { serverNodeFlags: string } }).config.serverNodeFlags
  .split(" ")
  .filter(Boolean);
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

const targets = { totpRatio: 0.9, wrongVsBare: 0.4, wrongP99Ms: 20, rssMb: 120 };
const encryptionKey = Buffer.alloc(32, 42).toString("base64");
const userFreeFailures = 100; // the maximum parseConfig accepts
const addressFreeFailures = 100_000; // likewise

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const mb = (bytes: number) => bytes / 1024 / 1024;

// ---------------------------------------------------------------- server children

interface ServerReport {
  maxRss: number;
  rss: number;
  heapUsed: number;
  /** CPU time the server process used since the last rss-reset (all its threads). */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** At the end of the run: V8 heap, and from /proc/self/smaps_rollup (Linux) anonymous vs file-backed resident memory. */
  /** Event-loop delay (monitorEventLoopDelay, 10 ms resolution): how long the loop was blocked at a stretch. */
  loopDelayMs: { p99: number; max: number };
  memory: { heapTotal: number; heapUsed: number; heapUsedAfterGc: number | null; external: number; anonymous: number | null; fileBacked: number | null };
}

interface ServerChild {
  port: number;
  startupRss: number;
  rss(): Promise<ServerReport>;
  resetRss(): void;
  stop(): Promise<void>;
}

interface ServerScript {
  path: string;
  execArgv: string[];
  runtime: string;
}

/**
 * The servers run as plain JavaScript, as `npm start` does: src/ and bench/server.ts are
 * compiled with the project's tsc into node_modules/.cache/twostep-bench (where package
 * resolution and "type": "module" still work). Type errors elsewhere in a work-in-progress
 * tree do not stop the emit. Falls back to tsx when nothing was emitted.
 */
function prepareServerScript(workDir: string): ServerScript {
  const tsx = { path: join(benchDir, "server.ts"), execArgv: ["--import", "tsx"], runtime: "tsx (node --import tsx)" };
  if (process.env.BENCH_SERVER_RUNTIME === "tsx") return tsx;
  const outDir = join(projectDir, "node_modules", ".cache", "twostep-bench");
  rmSync(outDir, { recursive: true, force: true });
  const tsconfig = join(workDir, "tsconfig.bench-server.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(projectDir, "tsconfig.json"),
      compilerOptions: { rootDir: projectDir, outDir, noEmit: false, noEmitOnError: false, sourceMap: false, incremental: false },
      include: [join(benchDir, "server.ts"), join(benchDir, "autocannon.d.ts")],
    }),
  );
  const started = Date.now();
  try {
    execFileSync(process.execPath, [join(projectDir, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], { stdio: "pipe" });
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? "").trim();
    log(`tsc reported type errors (emitted anyway):\n${output.split("\n").slice(0, 5).join("\n")}`);
  }
  const path = join(outDir, "bench", "server.js");
  if (!existsSync(path)) {
    log("compiling the server failed; running it under tsx instead (RSS will be ~45 MB higher)");
    return tsx;
  }
  // app.ts serves public/ relative to its own file.
  symlinkSync(join(projectDir, "public"), join(outDir, "public"), "dir");
  log(`compiled the server with tsc in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path, execArgv: [], runtime: "compiled JavaScript (tsc → node_modules/.cache/twostep-bench)" };
}

let serverScript: ServerScript;

async function startServer(mode: "twostep" | "bare", env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const child: ChildProcess = fork(serverScript.path, [mode], {
    env,
    execArgv: [...serverScript.execArgv, ...productionNodeFlags, ...serverNodeArgs],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const pending = new Map<number, (value: ServerReport) => void>();
  const ready = new Promise<{ port: number; rss: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code} before it was ready`)));
    child.on("message", (message: { type: string; id?: number; port?: number; rss?: number } & Partial<ServerReport>) => {
      if (message.type === "ready") resolve({ port: message.port!, rss: message.rss! });
      if (message.type === "rss") pending.get(message.id!)?.(message as ServerReport);
    });
  });
  const { port, rss } = await ready;
  return {
    port,
    startupRss: rss,
    rss: () =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ type: "rss-report", id });
      }),
    resetRss: () => child.send({ type: "rss-reset" }),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.send({ type: "shutdown" });
      }),
  };
}

// ---------------------------------------------------------------- load

interface Tally {
  expected: number;
  unexpected: Record<string, number>;
}

interface LoadResult {
  requestsPerSecond: number;
  totalRequests: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  expectedResponses: number;
  unexpectedResponses: Record<string, number>;
}

const errorCode = (body: string) => /"code":"([a-z_]+)"/.exec(body)?.[1] ?? "no code";

async function load(
  port: number,
  path: string,
  seconds: number,
  makeBody: () => string,
  isExpected: (status: number, body: string) => boolean,
): Promise<LoadResult> {
  const tally: Tally = { expected: 0, unexpected: {} };
  const result: Result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path,
        headers: { "content-type": "application/json", "user-agent": "twostep-bench" },
        setupRequest: (request: RequestData) => ({ ...request, body: makeBody() }),
        onResponse: (status: number, body: string) => {
          if (isExpected(status, body)) tally.expected++;
          else {
            const key = `${status} ${errorCode(body)}`;
            tally.unexpected[key] = (tally.unexpected[key] ?? 0) + 1;
          }
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    totalRequests: result.requests.total,
    latencyMs: { average: result.latency.average, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    expectedResponses: tally.expected,
    unexpectedResponses: tally.unexpected,
  };
}

interface Phase {
  load: LoadResult;
  maxRssBytes: number;
  /** Server CPU time (user + system, all threads) per request in the measured run. */
  serverCpuMicrosPerRequest: number;
  /** Server CPU time / wall time: 1.0 means one core fully busy. */
  serverCoresBusy: number;
  /** Whole machine CPU busy (cores) during the run, and the part neither the server nor this load generator used. */
  machineCoresBusy: number | null;
  otherCoresBusy: number | null;
  serverMemoryAtEnd: ServerReport["memory"];
  serverLoopDelayMs: ServerReport["loopDelayMs"];
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), to see whether something else competed for the CPU. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Warm-up (discarded), then the measured run with a fresh max-RSS window. */
async function phase(server: ServerChild, label: string, run: (seconds: number) => Promise<LoadResult>, beforeMeasure?: () => void): Promise<Phase> {
  log(`${label}: warm-up ${warmup}s`);
  await run(warmup);
  beforeMeasure?.();
  server.resetRss();
  log(`${label}: measuring ${duration}s at ${connections} connections`);
  const started = process.hrtime.bigint();
  const machineBefore = machineCpu();
  const generatorBefore = process.cpuUsage();
  const result = await run(duration);
  const generatorCpu = process.cpuUsage(generatorBefore);
  const machineAfter = machineCpu();
  const report = await server.rss();
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  const cpuMicros = report.cpuUserMicros + report.cpuSystemMicros;
  const serverCpuMicrosPerRequest = cpuMicros / Math.max(result.totalRequests, 1);
  const serverCoresBusy = cpuMicros / wallMicros;
  let machineCoresBusy: number | null = null;
  let otherCoresBusy: number | null = null;
  if (machineBefore && machineAfter && machineAfter.total > machineBefore.total) {
    const cores = cpus().length;
    machineCoresBusy = ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cores;
    otherCoresBusy = Math.max(0, machineCoresBusy - serverCoresBusy - (generatorCpu.user + generatorCpu.system) / wallMicros);
  }
  log(
    `${label}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.latencyMs.p99} ms, max RSS ${mb(report.maxRss).toFixed(1)} MB, ` +
      `server CPU ${serverCpuMicrosPerRequest.toFixed(0)} µs/request (${(report.cpuSystemMicros / Math.max(cpuMicros, 1) * 100).toFixed(0)} % system), ${serverCoresBusy.toFixed(2)} cores busy, other processes ${otherCoresBusy?.toFixed(2) ?? "?"} cores, unexpected ${JSON.stringify(result.unexpectedResponses)}`,
  );
  return { load: result, maxRssBytes: report.maxRss, serverCpuMicrosPerRequest, serverCoresBusy, machineCoresBusy, otherCoresBusy, serverMemoryAtEnd: report.memory, serverLoopDelayMs: report.loopDelayMs };
}

// ---------------------------------------------------------------- main

async function main() {
  const startedAt = Date.now();
  log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"})`);

  let totp: TotpMicroResult | null = null;
  if (only.has("totp")) {
    log("TOTP verification vs raw HMAC-SHA1");
    totp = runTotpMicro();
    log(
      `TOTP ${totp.totpOpsPerSecond.toFixed(0)} ops/s, HMAC ${totp.hmacOpsPerSecond.toFixed(0)} ops/s, ratio ${(totp.ratio * 100).toFixed(1)} % ` +
        `(p10–p90 over ${totp.pairs} chunk pairs: ${(totp.ratioP10 * 100).toFixed(1)}–${(totp.ratioP90 * 100).toFixed(1)} %)`,
    );
  }

  const workDir = mkdtempSync(join(process.env.BENCH_DB_DIR ?? tmpdir(), "twostep-bench-"));
  const databasePath = join(workDir, "bench.sqlite");
  const loadBefore = loadavg()[0]!;
  if (only.has("bare") || only.has("wrong") || only.has("right")) serverScript = prepareServerScript(workDir);
  const serverEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    TWOSTEP_ENV: "production",
    TWOSTEP_ENCRYPTION_KEY: encryptionKey,
    TWOSTEP_DATABASE_URL: `sqlite:${databasePath}`,
    TWOSTEP_DATA_DIR: workDir,
    TWOSTEP_PUBLIC_URL: "https://twostep.bench.invalid",
    TWOSTEP_LOG_LEVEL: "silent",
    TWOSTEP_USER_FREE_FAILURES: String(userFreeFailures),
    TWOSTEP_ADDRESS_FREE_FAILURES: String(addressFreeFailures),
  };

  let bare: Phase | null = null;
  let wrong: Phase | null = null;
  let right: Phase | null = null;
  let twostepStartupRss = 0;
  let bareStartupRss = 0;
  let rightPoolExhausted = 0;
  let seedSeconds = 0;
  try {
    if (only.has("bare")) {
      const server = await startServer("bare", serverEnv);
      bareStartupRss = server.startupRss;
      const body = () => JSON.stringify({ flowId: "x".repeat(43), code: "123456" });
      bare = await phase(server, "bare Fastify route", (seconds) => load(server.port, "/bare", seconds, body, (status) => status === 200));
      await server.stop();
    }

    if (only.has("wrong") || only.has("right")) {
      const config = parseConfig(serverEnv);
      const sharedKey = Buffer.from("bench shared totp key"); // 21 bytes; only the wrong-code pool uses it
      log(`seeding ${userCount} users (TOTP method + pending login flow each, one shared argon2 hash)`);
      const seedStart = Date.now();
      const logins: SeededLogin[] = await seedDatabase(config, databasePath, { users: userCount, sharedKeyUsers: wrongPoolSize, sharedKey });
      seedSeconds = (Date.now() - seedStart) / 1000;
      log(`seeded in ${seedSeconds.toFixed(1)}s`);

      // The throttle counters are reset between phases from a second connection while the server is idle,
      // so every measured request does the full verification (no request is refused as locked).
      const admin = new SQLite(databasePath);
      admin.pragma("busy_timeout = 5000");
      const resetCounters = () => admin.prepare("DELETE FROM attempt_counters").run();

      const server = await startServer("twostep", serverEnv);
      twostepStartupRss = server.startupRss;
      const path = "/api/login/second-factor";

      if (only.has("wrong")) {
        // Round-robin over the shared-key pool: ≤ (rate × 12 s / 5000) attempts per user, far below the 100 free ones.
        let next = 0;
        const wrongCodes = new Map<number, string>();
        const wrongCodeNow = () => {
          const step = Math.floor(Date.now() / 30_000);
          let code = wrongCodes.get(step);
          if (!code) {
            const near = new Set([-2, -1, 0, 1, 2].map((offset) => generateTotp(sharedKey, (step + offset) * 30_000)));
            let candidate = 314159;
            while (near.has(String(candidate).padStart(6, "0"))) candidate++;
            code = String(candidate).padStart(6, "0");
            wrongCodes.set(step, code);
          }
          return code;
        };
        const body = () => JSON.stringify({ flowId: logins[next++ % wrongPoolSize]!.flowToken, code: wrongCodeNow() });
        const expected = (status: number, text: string) => status === 401 && text.includes('"invalid_code"');
        resetCounters();
        wrong = await phase(server, "second factor, wrong code", (seconds) => load(server.port, path, seconds, body, expected), resetCounters);
      }

      if (only.has("right")) {
        // Every request: a flow never used before and the code its user's key shows now.
        let next = wrongPoolSize;
        const body = () => {
          const login = logins[next++];
          if (!login) {
            rightPoolExhausted++;
            return JSON.stringify({ flowId: "pool-exhausted".padEnd(43, "x"), code: "000000" });
          }
          return JSON.stringify({ flowId: login.flowToken, code: generateTotp(login.key, Date.now()) });
        };
        const expected = (status: number, text: string) => status === 200 && text.includes('"authenticated"');
        resetCounters();
        right = await phase(server, "second factor, right code", (seconds) => load(server.port, path, seconds, body, expected), resetCounters);
        log(`right-code pool: ${next - wrongPoolSize} of ${userCount - wrongPoolSize} flows used`);
      }

      await server.stop();
      admin.close();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  report({
    totp,
    bare,
    wrong,
    right,
    twostepStartupRss,
    bareStartupRss,
    rightPoolExhausted,
    seedSeconds,
    totalSeconds: (Date.now() - startedAt) / 1000,
    serverRuntime: serverScript?.runtime ?? null,
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
  });
}

// ---------------------------------------------------------------- report

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const int = (value: number) => Math.round(value).toLocaleString("en-US");
const verdict = (pass: boolean | null) => (pass === null ? "n/a" : pass ? "PASS" : "FAIL");

function report(input: {
  totp: TotpMicroResult | null;
  bare: Phase | null;
  wrong: Phase | null;
  right: Phase | null;
  twostepStartupRss: number;
  bareStartupRss: number;
  rightPoolExhausted: number;
  seedSeconds: number;
  totalSeconds: number;
  serverRuntime: string | null;
  loadAverage: { before: number; after: number };
}) {
  const { totp, bare, wrong, right } = input;
  const vsBare = (phase: Phase | null) => (phase && bare ? phase.load.requestsPerSecond / bare.load.requestsPerSecond : null);
  const twostepMaxRss = Math.max(wrong?.maxRssBytes ?? 0, right?.maxRssBytes ?? 0);
  const clean = (phase: Phase | null) => !phase || (Object.keys(phase.load.unexpectedResponses).length === 0 && phase.load.errors === 0);

  const checks = {
    totpRatio: totp ? totp.ratio >= targets.totpRatio : null,
    wrongThroughput: vsBare(wrong) === null ? null : vsBare(wrong)! >= targets.wrongVsBare,
    wrongP99: wrong ? wrong.load.latencyMs.p99 <= targets.wrongP99Ms : null,
    rss: wrong || right ? mb(twostepMaxRss) <= targets.rssMb : null,
  };

  const rows: string[][] = [];
  if (totp) {
    rows.push([
      "TOTP verify, ±1 window, wrong code (3 HMACs)",
      `${int(totp.totpOpsPerSecond)} ops/s`,
      `floor of three HMACs: ${int(totp.floorOfThreeOpsPerSecond)} ops/s (HMAC-SHA1: ${int(totp.hmacOpsPerSecond)} ops/s)`,
      pct(totp.ratio),
      `≥ ${targets.totpRatio * 100} %`,
      verdict(checks.totpRatio),
    ]);
  }
  const loadRows = (label: string, phase: Phase | null, throughputCheck: boolean | null, p99Check: boolean | null, targetText: [string, string]) => {
    if (!phase) return;
    const ratio = vsBare(phase);
    rows.push([
      `${label}: throughput`,
      `${int(phase.load.requestsPerSecond)} req/s`,
      bare ? `bare route: ${int(bare.load.requestsPerSecond)} req/s` : "—",
      ratio === null ? "—" : pct(ratio),
      targetText[0],
      verdict(throughputCheck),
    ]);
    rows.push([
      `${label}: p99 latency`,
      `${phase.load.latencyMs.p99} ms`,
      bare ? `bare route: ${bare.load.latencyMs.p99} ms` : "—",
      bare ? `${(phase.load.latencyMs.p99 / Math.max(bare.load.latencyMs.p99, 1)).toFixed(1)}×` : "—",
      targetText[1],
      verdict(p99Check),
    ]);
  };
  loadRows("POST /api/login/second-factor, wrong code", wrong, checks.wrongThroughput, checks.wrongP99, [`≥ ${targets.wrongVsBare * 100} % of bare`, `≤ ${targets.wrongP99Ms} ms`]);
  loadRows("POST /api/login/second-factor, right code", right, null, null, ["(none)", "(none)"]);
  if (wrong || right) {
    rows.push([
      "twostep server max RSS under load",
      `${mb(twostepMaxRss).toFixed(1)} MB`,
      bare ? `bare route server: ${mb(bare.maxRssBytes).toFixed(1)} MB` : "—",
      bare ? `${(twostepMaxRss / bare.maxRssBytes).toFixed(2)}×` : "—",
      `≤ ${targets.rssMb} MB`,
      verdict(checks.rss),
    ]);
  }

  const header = ["Measure", "twostep", "Floor / baseline (same run)", "Ratio", "Target", "Result"];
  const lines = [
    "",
    `## twostep benchmark — ${new Date().toISOString()}`,
    "",
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}); load: autocannon, ${connections} connections, ${warmup} s warm-up + ${duration} s measured per run; each server in its own child process.`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  ];
  const phaseDetail = (label: string, phase: Phase | null) => {
    if (!phase) return;
    const l = phase.load;
    lines.push(
      `- ${label}: ${int(l.totalRequests)} requests, latency avg ${l.latencyMs.average.toFixed(2)} ms / p50 ${l.latencyMs.p50} / p90 ${l.latencyMs.p90} / p99 ${l.latencyMs.p99} / max ${l.latencyMs.max} ms, ` +
        `expected responses ${int(l.expectedResponses)}, unexpected ${JSON.stringify(l.unexpectedResponses)}, socket errors ${l.errors}, timeouts ${l.timeouts}, max RSS ${mb(phase.maxRssBytes).toFixed(1)} MB, ` +
        `server CPU ${phase.serverCpuMicrosPerRequest.toFixed(0)} µs/request (${phase.serverCoresBusy.toFixed(2)} cores busy; other processes on the machine ${phase.otherCoresBusy?.toFixed(2) ?? "?"} cores), ` +
        `event-loop delay p99 ${phase.serverLoopDelayMs.p99.toFixed(1)} ms / max ${phase.serverLoopDelayMs.max.toFixed(1)} ms, server memory at end: heap ${mb(phase.serverMemoryAtEnd.heapUsed).toFixed(0)}/${mb(phase.serverMemoryAtEnd.heapTotal).toFixed(0)} MB used/total${phase.serverMemoryAtEnd.heapUsedAfterGc === null ? "" : ` (${mb(phase.serverMemoryAtEnd.heapUsedAfterGc).toFixed(0)} MB after a full GC)`}, external ${mb(phase.serverMemoryAtEnd.external).toFixed(0)} MB` +
        (phase.serverMemoryAtEnd.anonymous === null ? "" : `, resident anonymous ${mb(phase.serverMemoryAtEnd.anonymous).toFixed(0)} MB + file-backed ${mb(phase.serverMemoryAtEnd.fileBacked ?? 0).toFixed(0)} MB`),
    );
  };
  phaseDetail("bare route (POST /bare, JSON body parsed, small JSON reply)", bare);
  phaseDetail("wrong code", wrong);
  phaseDetail("right code", right);
  if (wrong || right) {
    lines.push(
      `- twostep server: TWOSTEP_ENV=production, fixed TWOSTEP_ENCRYPTION_KEY, temp SQLite file, buildApp({ logger: false }); RSS right after start ${mb(input.twostepStartupRss).toFixed(1)} MB (bare: ${mb(input.bareStartupRss).toFixed(1)} MB). Servers run as ${input.serverRuntime}, both with the production node flags from package.json (${productionNodeFlags.join(" ") || "none"}).`,
      `- Throttle raised so every wrong-code request does the full verification: TWOSTEP_USER_FREE_FAILURES=${userFreeFailures}, TWOSTEP_ADDRESS_FREE_FAILURES=${addressFreeFailures} (their maxima); the wrong-code run cycles over ${wrongPoolSize} users' flows, and attempt counters are cleared between runs.`,
      `- Right-code run: ${int(userCount - wrongPoolSize)} seeded users (one shared argon2 hash), each request a fresh login flow and the code its user's key shows now (replay protection stays on)${input.rightPoolExhausted ? `; POOL EXHAUSTED for ${input.rightPoolExhausted} requests (results invalid, raise BENCH_USERS)` : ""}. Seeding took ${input.seedSeconds.toFixed(1)} s.`,
    );
  }
  lines.push(
    `- Machine load average ${input.loadAverage.before.toFixed(2)} before, ${input.loadAverage.after.toFixed(2)} after; "other processes" above is CPU neither the server nor the load generator used (anything above ~0.1 core means the numbers are disturbed).`,
  );
  if (!clean(wrong) || !clean(right) || !clean(bare)) lines.push("- WARNING: some responses were not the expected ones (see above); the numbers for that run are suspect.");
  lines.push("");
  lines.push(`Target TOTP verification ≥ ${targets.totpRatio * 100} % of the floor of three HMACs: ${verdict(checks.totpRatio)}${totp ? ` (${pct(totp.ratio)})` : ""}`);
  lines.push(`Target wrong-code throughput ≥ ${targets.wrongVsBare * 100} % of the bare route: ${verdict(checks.wrongThroughput)}${vsBare(wrong) !== null ? ` (${pct(vsBare(wrong)!)})` : ""}`);
  lines.push(`Target wrong-code p99 ≤ ${targets.wrongP99Ms} ms: ${verdict(checks.wrongP99)}${wrong ? ` (${wrong.load.latencyMs.p99} ms)` : ""}`);
  lines.push(`Target server RSS under load ≤ ${targets.rssMb} MB: ${verdict(checks.rss)}${wrong || right ? ` (${mb(twostepMaxRss).toFixed(1)} MB)` : ""}`);
  lines.push("", `Total bench time ${input.totalSeconds.toFixed(0)} s.`, "");
  process.stdout.write(lines.join("\n"));

  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    settings: { connections, warmupSeconds: warmup, durationSeconds: duration, users: userCount, wrongPoolSize, userFreeFailures, addressFreeFailures },
    targets,
    totp,
    bare,
    wrong,
    right,
    ratios: { wrongVsBare: vsBare(wrong), rightVsBare: vsBare(right) },
    rss: { twostepMaxMb: wrong || right ? mb(twostepMaxRss) : null, twostepStartupMb: mb(input.twostepStartupRss), bareMaxMb: bare ? mb(bare.maxRssBytes) : null, bareStartupMb: mb(input.bareStartupRss) },
    rightPoolExhausted: input.rightPoolExhausted,
    serverRuntime: input.serverRuntime,
    loadAverage: input.loadAverage,
    checks,
    totalSeconds: input.totalSeconds,
  };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${join("bench", "results", "latest.json")}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
