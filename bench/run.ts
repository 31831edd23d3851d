/**
 * `npm run bench`: one run, one table (bench/report.ts), ratios to baselines measured
 * in the same run.
 *
 *   1. TOTP verification (findTotpStep, ±1 window, wrong code → 3 HMACs) against raw
 *      HMAC-SHA1 from node:crypto, in this process; a security key's assertion check
 *      (@simplewebauthn/server) against one raw ECDSA P-256 verify (bench/webauthn-micro.ts).
 *   2. A bare Fastify JSON route (the floor of any route).
 *   3. The hand-written baseline (bench/baseline-server.ts): the same durable work as a
 *      wrong-code second step, with raw better-sqlite3 statements, and an argon2id-only
 *      route (one verify per request at the production parameters).
 *   4. The real server: POST /api/login/second-factor with a wrong code and with a right
 *      code (50 connections, autocannon), then the full login (password + TOTP) with
 *      10 users logging in one after another at once (bench/closed-loop.ts); the argon2id
 *      route of (3) is measured with the same 10-user loop.
 *   5. The apps (issue 15, bench/apps.ts): GET /forward-auth with a session cookie beside a bare
 *      Fastify GET route, in pairs (latency at BENCH_FORWARD_AUTH_CONNECTIONS, default 1, and
 *      checks per second at BENCH_CONNECTIONS); the token endpoint in a closed loop of
 *      BENCH_LOGIN_USERS loops, each iteration an authorization (single sign-on) and its code
 *      exchanged for tokens (PKCE, client_secret_basic).
 *   6. With BENCH_POSTGRES_URL: the wrong-code second step again with the real server on
 *      that database (TWOSTEP_DATABASE_URL=postgres://…) against the hand-written PostgreSQL
 *      baseline (bench/baseline-postgres.ts), both counting the statements they send
 *      (bench/postgres.ts).
 *
 * Each twostep phase that has a baseline (the wrong-code second step on each store, the full
 * login) runs in BENCH_PAIRS pairs with it (bench/pairs.ts): medians and spreads of the ratios.
 *
 * Each server runs in its own child process (bench/server.ts); this process is only the
 * load generator. The exit code is 0 even when a target is missed: a report, not a gate.
 *
 * Knobs (environment): BENCH_DURATION (s, default 8), BENCH_WARMUP (s, default 2),
 * BENCH_CONNECTIONS (default 50), BENCH_LOGIN_USERS (concurrent full logins, default 10),
 * BENCH_USERS (default 60000), BENCH_DB_DIR (where the temp SQLite file goes),
 * BENCH_POSTGRES_URL (postgres://…, a database the bench may fill; unset: PG row not run),
 * BENCH_PAIRS (pairs of twostep and baseline phases per row, default 3),
 * BENCH_SERVER_RUNTIME (compiled | tsx), BENCH_SERVER_NODE_ARGS (extra node flags for
 * the server children), MALLOC_ARENA_MAX (for the server children; default package.json config.serverMallocArenaMax), BENCH_ONLY (comma list of totp,webauthn,bare,baseline,wrong,right,login,apps,metrics,pg; apps is forward-auth and app-sign-in, each of which runs alone too), BENCH_FORWARD_AUTH_CONNECTIONS (forward-auth requests at a time for its latency, default 1), BENCH_METRICS_ROUNDS (rounds of the metrics phase, default 6: each round one off and one on half of 2 × BENCH_DURATION / rounds seconds, the order swapped every round).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { parseConfig } from "../src/config.js";
import { generateTotp } from "../src/domain/otp/totp.js";
import { createSqliteDatabase } from "../src/store/sqlite.js";
import { appSignInLoop, forwardAuthHeaders, getLoad, getLoop, seedApp, sessionFor } from "./apps.js";
import { closedLoop, postJson } from "./closed-loop.js";
import { asLoadResult, load, phase, type Phase } from "./measure.js";
import { pairCount, runPairs } from "./pairs.js";
import { runPostgres } from "./postgres.js";
import { report, type RunResults } from "./report.js";
import { seedDatabase, type SeededLogin } from "./seed.js";
import { prepareServerScript, productionMallocEnv, startServer, type ServerChild } from "./servers.js";
import { runTotpMicro } from "./totp-micro.js";
import { runWebauthnMicro } from "./webauthn-micro.js";

const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const duration = number("BENCH_DURATION", 8);
const warmup = number("BENCH_WARMUP", 2);
const connections = number("BENCH_CONNECTIONS", 50);
const loginUsers = number("BENCH_LOGIN_USERS", 10);
const userCount = number("BENCH_USERS", 60_000);
const postgresUrl = process.env.BENCH_POSTGRES_URL || null;
/** Users whose flows the wrong-code runs cycle through (shared key, so the generator knows a wrong code cheaply). */
const wrongPoolSize = 5_000;
if (userCount < 2 * wrongPoolSize) throw new Error(`BENCH_USERS must be at least ${2 * wrongPoolSize} (the first ${wrongPoolSize} users are the wrong-code pool)`);
const forwardAuthConnections = number("BENCH_FORWARD_AUTH_CONNECTIONS", 1);
const only = new Set((process.env.BENCH_ONLY ?? "totp,webauthn,bare,baseline,wrong,right,login,apps,metrics,pg").split(",").map((part) => part.trim()));
const encryptionKey = Buffer.alloc(32, 42).toString("base64");
const userFreeFailures = 100; // the maximum parseConfig accepts
const addressFreeFailures = 100_000; // likewise
const sharedKey = Buffer.from("bench shared totp key"); // 21 bytes; only the wrong-code pool uses it

/** Rounds of the metrics off/on comparison (BENCH_METRICS_ROUNDS, default 6). */
const metricsRounds = number("BENCH_METRICS_ROUNDS", 6);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const autocannonTiming = { warmup, duration, connections };
/** Each metrics half: the phase's usual measured time shared over the rounds (2 rounds of BENCH_DURATION each before), after a short warm-up. */
const metricsTiming = { warmup: Math.min(warmup, 0.5), duration: Math.max(1, Math.round(((2 * duration) / Math.max(metricsRounds, 1)) * 10) / 10), connections };
const loopTiming = { warmup, duration, connections: `${loginUsers} (users)` };

/** A 6-digit code that is none of the shared key's codes near now: every request is a wrong code, never a lucky one. */
const wrongCodes = new Map<number, string>();
function wrongCodeNow(): string {
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
}

const secondFactorPath = "/api/login/second-factor";
/** Round-robin over the shared-key pool: ≤ (rate × 10 s / 5000) attempts per user, far below the 100 free ones. */
function wrongCodeRun(server: ServerChild, logins: SeededLogin[]) {
  let next = 0;
  const body = () => JSON.stringify({ flowId: logins[next++ % wrongPoolSize]!.flowToken, code: wrongCodeNow() });
  const expected = (status: number, text: string) => status === 401 && text.includes('"invalid_code"');
  return (seconds: number) => load(connections, server.port, secondFactorPath, seconds, body, expected);
}

async function main() {
  const startedAt = Date.now();
  log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"})`);
  const results: RunResults = { totp: null, webauthn: null, bare: null, baseline: null, argon2Only: null, wrong: null, right: null, login: null, sqliteWrongPairs: null, loginPairs: null, pg: null, startupRss: {}, rightPoolExhausted: 0, seedSeconds: 0, serverRuntime: null, metricsOff: [], metricsOn: [], forwardAuthLatencyPairs: null, forwardAuthThroughputPairs: null, tokenLoop: null, tokenRequestMs: null, forwardAuthConnections };

  if (only.has("totp")) {
    log("TOTP verification vs raw HMAC-SHA1");
    results.totp = await runTotpMicro();
  }
  if (only.has("webauthn")) {
    log("security-key assertion check vs raw ECDSA P-256 verify");
    results.webauthn = await runWebauthnMicro();
  }

  const workDir = mkdtempSync(join(process.env.BENCH_DB_DIR ?? tmpdir(), "twostep-bench-"));
  const databasePath = join(workDir, "bench.sqlite");
  const loadBefore = loadavg()[0]!;
  const script = prepareServerScript(workDir);
  results.serverRuntime = script.runtime;
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
    // glibc's arena cap and thresholds, as `npm start` sets them (package.json config.serverMalloc*; MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ override).
    ...productionMallocEnv,
  };
  const config = parseConfig(serverEnv);

  try {
    if (only.has("bare")) {
      const server = await startServer(script, "bare", serverEnv);
      results.startupRss.bare = server.startupRss;
      const body = () => JSON.stringify({ flowId: "x".repeat(43), code: "123456" });
      results.bare = await phase(autocannonTiming, server, "bare Fastify route", (seconds) => load(connections, server.port, "/bare", seconds, body, (status) => status === 200));
      await server.stop();
    }

    log(`seeding ${userCount} users (TOTP method + pending login flow each, one shared argon2id hash at the production parameters)`);
    const seedStart = Date.now();
    const sqliteDb = createSqliteDatabase(databasePath);
    const { logins, password } = await seedDatabase(config, sqliteDb, { users: userCount, sharedKeyUsers: wrongPoolSize, sharedKey });
    const seededApp = await seedApp(sqliteDb);
    await sqliteDb.destroy();
    results.seedSeconds = (Date.now() - seedStart) / 1000;
    log(`seeded in ${results.seedSeconds.toFixed(1)}s`);

    // The throttle counters are cleared between phases from a second connection while the server is idle,
    // so every measured request does the full verification (no request is refused as locked).
    const admin = new SQLite(databasePath);
    admin.pragma("busy_timeout = 5000");
    const resetCounters = () => admin.prepare("DELETE FROM attempt_counters").run();
    // Full logins take users from the end of the list (the right-code run takes them from the start of the rest).
    let nextLoginUser = userCount - 1;
    const loginLoop = (port: number, path: "full" | "argon2") => (seconds: number) =>
      closedLoop(loginUsers, seconds, async () => {
        const index = nextLoginUser--;
        if (index < wrongPoolSize) return "user pool exhausted";
        const email = `bench-${index}@example.test`;
        if (path === "argon2") {
          const verified = await postJson(port, "/argon2-only", { email, password });
          return verified.status === 200 ? "ok" : `argon2 ${verified.status} ${String(verified.body?.code)}`;
        }
        const first = await postJson(port, "/api/login", { email, password });
        if (first.status !== 200 || first.body?.status !== "second_factor_required") return `password ${first.status} ${String(first.body?.code ?? first.body?.status)}`;
        const second = await postJson(port, secondFactorPath, { flowId: first.body.flowId, code: generateTotp(logins[index]!.key, Date.now()) });
        return second.status === 200 && second.body?.status === "authenticated" ? "ok" : `code ${second.status} ${String(second.body?.code)}`;
      }).then(asLoadResult);

    // Each twostep phase runs in pairs with its baseline's (bench/pairs.ts): both servers stay up.
    const baselineServer = only.has("baseline") ? await startServer(script, "baseline", serverEnv) : null;
    const twostepServer = only.has("wrong") || only.has("right") || only.has("login") ? await startServer(script, "twostep", serverEnv) : null;
    if (baselineServer) results.startupRss.baseline = baselineServer.startupRss;
    if (twostepServer) results.startupRss.twostep = twostepServer.startupRss;
    resetCounters();
    const baselineWrong = baselineServer && ((pair: number) => phase(autocannonTiming, baselineServer, `baseline second step (hand-written), wrong code (pair ${pair + 1})`, wrongCodeRun(baselineServer, logins), resetCounters));
    const twostepWrong = twostepServer && only.has("wrong") ? (pair: number) => phase(autocannonTiming, twostepServer, `second factor, wrong code (pair ${pair + 1})`, wrongCodeRun(twostepServer, logins), resetCounters) : null;
    if (baselineWrong && twostepWrong) {
      results.sqliteWrongPairs = await runPairs(baselineWrong, twostepWrong);
      ({ baseline: results.baseline, ours: results.wrong } = results.sqliteWrongPairs.median);
    } else {
      if (baselineWrong) results.baseline = await baselineWrong(0);
      if (twostepWrong) results.wrong = await twostepWrong(0);
    }
    if (twostepServer && only.has("right")) {
      // Every request: a flow never used before and the code its user's key shows now (replay protection stays on).
      let next = wrongPoolSize;
      const body = () => {
        const login = next < nextLoginUser - 5_000 ? logins[next++] : undefined;
        if (!login) {
          results.rightPoolExhausted++;
          return JSON.stringify({ flowId: "pool-exhausted".padEnd(43, "x"), code: "000000" });
        }
        return JSON.stringify({ flowId: login.flowToken, code: generateTotp(login.key, Date.now()) });
      };
      const expected = (status: number, text: string) => status === 200 && text.includes('"authenticated"');
      resetCounters();
      results.right = await phase(autocannonTiming, twostepServer, "second factor, right code", (seconds) => load(connections, twostepServer.port, secondFactorPath, seconds, body, expected), resetCounters);
      log(`right-code pool: ${next - wrongPoolSize} flows used`);
    }
    const argon2Phase = baselineServer && ((pair: number) => phase(loopTiming, baselineServer, `argon2id-only route (pair ${pair + 1})`, loginLoop(baselineServer.port, "argon2")));
    const loginPhase = twostepServer && only.has("login") ? (pair: number) => phase(loopTiming, twostepServer, `full login (password + TOTP) (pair ${pair + 1})`, loginLoop(twostepServer.port, "full"), resetCounters) : null;
    resetCounters();
    if (argon2Phase && loginPhase) {
      results.loginPairs = await runPairs(argon2Phase, loginPhase);
      ({ baseline: results.argon2Only, ours: results.login } = results.loginPairs.median);
    } else {
      if (argon2Phase) results.argon2Only = await argon2Phase(0);
      if (loginPhase) results.login = await loginPhase(0);
    }
    await baselineServer?.stop();
    await twostepServer?.stop();
    const forwardAuthRows = only.has("apps") || only.has("forward-auth");
    const appSignInRow = only.has("apps") || only.has("app-sign-in");
    if (forwardAuthRows || appSignInRow) {
      // Issue 15: forward auth beside a bare GET route (pairs), and the token endpoint (closed loop).
      const bareServer = forwardAuthRows ? await startServer(script, "bare", serverEnv) : null;
      const appServer = await startServer(script, "twostep", serverEnv);
      const freshSession = () => {
        const index = nextLoginUser--;
        return sessionFor(appServer.port, `bench-${index}@example.test`, password, () => generateTotp(logins[index]!.key, Date.now()));
      };
      if (bareServer) {
        const headers = forwardAuthHeaders(await freshSession());
        const latencyTiming = { warmup, duration, connections: forwardAuthConnections };
        results.forwardAuthLatencyPairs = await runPairs(
          (pair) => phase(latencyTiming, bareServer, `bare GET route, ${forwardAuthConnections} at a time (pair ${pair + 1})`, getLoop(bareServer.port, "/bare-get", headers, forwardAuthConnections, 200)),
          (pair) => phase(latencyTiming, appServer, `forward auth, ${forwardAuthConnections} at a time (pair ${pair + 1})`, getLoop(appServer.port, "/forward-auth", headers, forwardAuthConnections, 200)),
        );
        results.forwardAuthThroughputPairs = await runPairs(
          (pair) => phase(autocannonTiming, bareServer, `bare GET route, checks per second (pair ${pair + 1})`, getLoad(bareServer.port, "/bare-get", headers, connections, 200)),
          (pair) => phase(autocannonTiming, appServer, `forward auth, checks per second (pair ${pair + 1})`, getLoad(appServer.port, "/forward-auth", headers, connections, 200)),
        );
        await bareServer.stop();
      }
      if (appSignInRow) {
        const loops = await Promise.all(Array.from({ length: loginUsers }, async () => appSignInLoop(appServer.port, seededApp, await freshSession())));
        const clearLatencies = () => loops.forEach((loop) => (loop.tokenLatenciesMs.length = 0));
        results.tokenLoop = await phase(loopTiming, appServer, "app sign-in: authorize (single sign-on) + token endpoint", (seconds) => closedLoop(loginUsers, seconds, (user) => loops[user]!.iteration()).then(asLoadResult), clearLatencies);
        const tokenMs = loops.flatMap((loop) => loop.tokenLatenciesMs).sort((a, b) => a - b);
        const at = (fraction: number) => tokenMs[Math.min(tokenMs.length - 1, Math.floor(fraction * tokenMs.length))] ?? 0;
        results.tokenRequestMs = { p50: at(0.5), p99: at(0.99), count: tokenMs.length };
      }
      await appServer.stop();
    }
    if (only.has("metrics")) {
      // The metrics' cost (issue 17): the same wrong-code run on a server built with BENCH_METRICS=off and one with on,
      // both started once and warmed, then metricsRounds short rounds of one half each, the order swapped every round
      // (on first in odd rounds), so neither setting always meets the other's after-effects or the same stretch of load.
      const servers = { off: await startServer(script, "twostep", { ...serverEnv, BENCH_METRICS: "off" }), on: await startServer(script, "twostep", { ...serverEnv, BENCH_METRICS: "on" }) };
      for (const setting of ["off", "on"] as const) await wrongCodeRun(servers[setting], logins)(warmup);
      for (let round = 1; round <= metricsRounds; round++) {
        for (const setting of round % 2 === 1 ? (["on", "off"] as const) : (["off", "on"] as const)) {
          resetCounters();
          const measured = await phase(metricsTiming, servers[setting], `second factor, wrong code, metrics ${setting} (round ${round})`, wrongCodeRun(servers[setting], logins), resetCounters);
          (setting === "on" ? results.metricsOn : results.metricsOff).push(measured);
        }
      }
      await Promise.all([servers.off.stop(), servers.on.stop()]);
    }
    admin.close();

    if (only.has("pg")) {
      results.pg = await runPostgres({ url: postgresUrl, sqliteEnv: serverEnv, script, timing: autocannonTiming, wrongPoolSize, sharedKey, userFreeFailures, wrongCode: wrongCodeNow, wrongCodeRun });
      if (results.pg.startupRss.twostep) results.startupRss.twostepPostgres = results.pg.startupRss.twostep;
      if (results.pg.startupRss.baseline) results.startupRss.baselinePostgres = results.pg.startupRss.baseline;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  report(results, {
    connections,
    loginUsers,
    warmup,
    duration,
    users: userCount,
    pairs: pairCount,
    wrongPoolSize,
    userFreeFailures,
    addressFreeFailures,
    totalSeconds: (Date.now() - startedAt) / 1000,
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

export type { Phase };
