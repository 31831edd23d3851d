/** The one table of bench/run.ts (markdown on stdout) and bench/results/latest.json beside it. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Phase } from "./measure.js";
import { spread, type PairedPhases, type Spread } from "./pairs.js";
import type { PostgresResults } from "./postgres.js";
import { productionMallocArenaMax, productionMallocEnv, productionNodeFlags, serverNodeArgs } from "./servers.js";
import type { TotpMicroResult } from "./totp-micro.js";
import type { WebauthnMicroResult } from "./webauthn-micro.js";

export const targets = { totpRatio: 0.9, secondStepVsBaseline: 0.7, secondStepP99VsBaseline: 1.5, loginVsArgon2: 0.9, rssMb: 100, metricsOnVsOff: 0.97, forwardAuthLatencyVsBare: 2 };

export interface RunResults {
  totp: TotpMicroResult | null;
  webauthn: WebauthnMicroResult | null;
  bare: Phase | null;
  baseline: Phase | null;
  argon2Only: Phase | null;
  wrong: Phase | null;
  right: Phase | null;
  login: Phase | null;
  /** The wrong-code phases on SQLite and the full logins, each in pairs with its baseline (wrong, baseline, login and argon2Only are their median pairs). */
  sqliteWrongPairs: PairedPhases | null;
  loginPairs: PairedPhases | null;
  pg: PostgresResults | null;
  startupRss: Partial<Record<"bare" | "baseline" | "twostep" | "twostepPostgres" | "baselinePostgres", number>>;
  rightPoolExhausted: number;
  seedSeconds: number;
  serverRuntime: string | null;
  /** The wrong-code second step with the metrics off and on (BENCH_METRICS), alternating, in one sitting. */
  metricsOff: Phase[];
  metricsOn: Phase[];
  /** Forward auth (GET /forward-auth, a valid session) against a bare GET route, in pairs: latency at `forwardAuthConnections` at a time, and checks per second under autocannon. */
  forwardAuthLatencyPairs: PairedPhases | null;
  forwardAuthThroughputPairs: PairedPhases | null;
  forwardAuthConnections: number;
  /** App sign-ins: authorize (single sign-on) + code → tokens per iteration; the token request's own latency. */
  tokenLoop: Phase | null;
  tokenRequestMs: { p50: number; p99: number; count: number } | null;
}

export interface RunSettings {
  connections: number;
  loginUsers: number;
  warmup: number;
  duration: number;
  users: number;
  pairs: number;
  wrongPoolSize: number;
  userFreeFailures: number;
  addressFreeFailures: number;
  totalSeconds: number;
  loadAverage: { before: number; after: number };
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const int = (value: number) => Math.round(value).toLocaleString("en-US");
const verdict = (pass: boolean | null) => (pass === null ? "n/a" : pass ? "PASS" : "FAIL");
const rate = (phase: Phase | null) => phase?.load.requestsPerSecond ?? null;
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
/** Above this much CPU used by neither the server nor the load generator, a ratio compares two differently loaded runs. */
const disturbedCores = 0.25;
const disturbance = (...phases: (Phase | null)[]) => Math.max(0, ...phases.map((phase) => phase?.otherCoresBusy ?? 0));
const judged = (pass: boolean | null, ...phases: (Phase | null)[]) =>
  pass !== null && disturbance(...phases) > disturbedCores ? `${verdict(pass)}? DISTURBED (other processes ${disturbance(...phases).toFixed(2)} cores)` : verdict(pass);
/** The sum of a measure over the rounds of one setting (null when it did not run). */
const total = (phases: Phase[], measure: (phase: Phase) => number | null) => (phases.length === 0 ? null : phases.reduce((sum, phase) => sum + (measure(phase) ?? 0), 0));
const pairedPhases = (paired: PairedPhases | null | undefined) => paired?.pairs.flatMap(({ ours, baseline }) => [ours, baseline]) ?? [];
/** "49.9 % (41.2–55.0 %, 3 pairs)": the median pair's ratio and the spread of all pairs. */
const spreadText = (spread: Spread, pairs: number, format: (value: number) => string, unit = "pairs") =>
  pairs > 1 ? `${format(spread.median)} (${format(spread.min)}–${format(spread.max)}, ${pairs} ${unit})` : format(spread.median);
const times = (value: number) => `${value.toFixed(2)}×`;
const clean = (phase: Phase | null) => !phase || (Object.keys(phase.load.unexpectedResponses).length === 0 && phase.load.errors === 0 && phase.load.timeouts === 0);

export function report(results: RunResults, settings: RunSettings) {
  const { totp, webauthn, bare, baseline, argon2Only, wrong, right, login } = results;
  const pgPairs = results.pg?.pairs ?? null;
  const pgWrong = pgPairs?.median.ours ?? null;
  const pgBaseline = pgPairs?.median.baseline ?? null;
  const secondStepRss = Math.max(wrong?.maxRssBytes ?? 0, right?.maxRssBytes ?? 0);
  const metricsRoundPairs = results.metricsOn.flatMap((on, index) => (results.metricsOff[index] ? [{ on, off: results.metricsOff[index] }] : []));
  const metricsRounds =
    metricsRoundPairs.length === 0
      ? null
      : {
          throughput: spread(metricsRoundPairs.map(({ on, off }) => on.load.requestsPerSecond / off.load.requestsPerSecond)),
          cpu: spread(metricsRoundPairs.map(({ on, off }) => on.serverCpuMicrosPerRequest / off.serverCpuMicrosPerRequest)),
        };
  const ratios = {
    totp: totp?.ratio ?? null,
    wrongVsBaseline: results.sqliteWrongPairs?.throughputRatio.median ?? ratio(rate(wrong), rate(baseline)),
    wrongP99VsBaseline: results.sqliteWrongPairs?.p99Ratio.median ?? ratio(wrong?.load.latencyMs.p99 ?? null, baseline ? Math.max(baseline.load.latencyMs.p99, 1) : null),
    loginVsArgon2: results.loginPairs?.throughputRatio.median ?? ratio(rate(login), rate(argon2Only)),
    pgWrongVsBaseline: pgPairs?.throughputRatio.median ?? null,
    pgWrongP99VsBaseline: pgPairs?.p99Ratio.median ?? null,
    wrongVsBare: ratio(rate(wrong), rate(bare)),
    baselineVsBare: ratio(rate(baseline), rate(bare)),
    rightVsBare: ratio(rate(right), rate(bare)),
    pgWrongVsSqliteWrong: ratio(rate(pgWrong), rate(wrong)),
    /** The median of the rounds' on ÷ off ratios (each round one half of each, in one sitting). */
    metricsOnVsOff: metricsRounds?.throughput.median ?? null,
    metricsCpuOnVsOff: metricsRounds?.cpu.median ?? null,
    /** The same summed over all rounds, as reported before the rounds were shortened. */
    metricsOnVsOffSummed: ratio(total(results.metricsOn, rate), total(results.metricsOff, rate)),
    metricsCpuOnVsOffSummed: ratio(total(results.metricsOn, (phase) => phase.serverCpuMicrosPerRequest), total(results.metricsOff, (phase) => phase.serverCpuMicrosPerRequest)),
  };
  /** Forward auth ÷ bare route latency per pair (p50 and p99; closed loop, 0.01 ms resolution). */
  const forwardAuthLatency = results.forwardAuthLatencyPairs
    ? {
        p50: spread(results.forwardAuthLatencyPairs.pairs.map(({ ours, baseline: base }) => ours.load.latencyMs.p50 / Math.max(base.load.latencyMs.p50, 0.01))),
        p99: spread(results.forwardAuthLatencyPairs.pairs.map(({ ours, baseline: base }) => ours.load.latencyMs.p99 / Math.max(base.load.latencyMs.p99, 0.01))),
      }
    : null;
  const checks = {
    totpRatio: ratios.totp === null ? null : ratios.totp >= targets.totpRatio,
    secondStepThroughput: ratios.wrongVsBaseline === null ? null : ratios.wrongVsBaseline >= targets.secondStepVsBaseline,
    secondStepP99: ratios.wrongP99VsBaseline === null ? null : ratios.wrongP99VsBaseline <= targets.secondStepP99VsBaseline,
    fullLogin: ratios.loginVsArgon2 === null ? null : ratios.loginVsArgon2 >= targets.loginVsArgon2,
    pgSecondStepThroughput: ratios.pgWrongVsBaseline === null ? null : ratios.pgWrongVsBaseline >= targets.secondStepVsBaseline,
    pgSecondStepP99: ratios.pgWrongP99VsBaseline === null ? null : ratios.pgWrongP99VsBaseline <= targets.secondStepP99VsBaseline,
    rss: wrong || right ? mb(secondStepRss) <= targets.rssMb : null,
    metrics: ratios.metricsOnVsOff === null ? null : ratios.metricsOnVsOff >= targets.metricsOnVsOff,
    forwardAuthLatency: forwardAuthLatency === null ? null : forwardAuthLatency.p50.median <= targets.forwardAuthLatencyVsBare && forwardAuthLatency.p99.median <= targets.forwardAuthLatencyVsBare,
  };

  const rows: string[][] = [];
  const row = (...cells: string[]) => rows.push(cells);
  if (totp) {
    row("TOTP verify, ±1 window, wrong code (3 HMACs)", `${int(totp.totpOpsPerSecond)} ops/s`, `floor of three HMACs: ${int(totp.floorOfThreeOpsPerSecond)} ops/s`, pct(totp.ratio), `≥ ${targets.totpRatio * 100} %`, verdict(checks.totpRatio));
  }
  if (webauthn) {
    row(
      "security-key assertion check (@simplewebauthn/server)",
      `${int(webauthn.oursOpsPerSecond)} ops/s`,
      `one raw ECDSA P-256 verify: ${int(webauthn.floorOpsPerSecond)} ops/s`,
      `${pct(webauthn.ratio)} (p10–p90 ${pct(webauthn.ratioP10)}–${pct(webauthn.ratioP90)})`,
      "(reported)",
      "n/a",
    );
  }
  if (bare) row("bare Fastify JSON route", `—`, `${int(bare.load.requestsPerSecond)} req/s, p99 ${bare.load.latencyMs.p99} ms`, "—", "(floor)", "n/a");
  /** Throughput, p99 and CPU rows of a twostep phase against its baseline: the median pair's figures, the ratios' median and spread over the pairs. */
  const vsBaseline = (label: string, paired: PairedPhases | null, phase: Phase | null, base: Phase | null, checks: { throughput: boolean | null; p99: boolean | null }) => {
    if (!phase) return;
    const n = paired?.pairs.length ?? 1;
    const all = paired ? pairedPhases(paired) : [phase, base];
    const throughput = paired?.throughputRatio ?? (base ? spread([phase.load.requestsPerSecond / base.load.requestsPerSecond]) : null);
    const p99 = paired?.p99Ratio ?? (base ? spread([phase.load.latencyMs.p99 / Math.max(base.load.latencyMs.p99, 1)]) : null);
    const cpu = paired?.cpuRatio ?? (base ? spread([phase.serverCpuMicrosPerRequest / base.serverCpuMicrosPerRequest]) : null);
    const notRun = "not run";
    row(`${label}: throughput`, `${int(phase.load.requestsPerSecond)} req/s`, base ? `${int(base.load.requestsPerSecond)} req/s` : notRun, throughput ? spreadText(throughput, n, pct) : "—", `≥ ${targets.secondStepVsBaseline * 100} % of baseline`, judged(checks.throughput, ...all));
    row(`${label}: p99 latency`, `${phase.load.latencyMs.p99} ms`, base ? `${base.load.latencyMs.p99} ms` : notRun, p99 ? spreadText(p99, n, times) : "—", `≤ ${targets.secondStepP99VsBaseline}× baseline`, judged(checks.p99, ...all));
    row(`${label}: server CPU per request`, `${int(phase.serverCpuMicrosPerRequest)} µs`, base ? `${int(base.serverCpuMicrosPerRequest)} µs` : notRun, cpu ? spreadText(cpu, n, times) : "—", "(reported)", "n/a");
    if (phase.databaseCpuMicrosPerRequest !== null && base?.databaseCpuMicrosPerRequest != null) {
      const database = spread((paired?.pairs ?? [{ ours: phase, baseline: base }]).map((pair) => (pair.ours.databaseCpuMicrosPerRequest ?? 0) / Math.max(pair.baseline.databaseCpuMicrosPerRequest ?? 0, 1e-9)));
      row(`${label}: database server CPU per request`, `${int(phase.databaseCpuMicrosPerRequest)} µs`, `${int(base.databaseCpuMicrosPerRequest)} µs`, spreadText(database, n, times), "(reported)", "n/a");
    }
    if (phase.databaseStatementsPerRequest !== null) {
      const perRequest = (side: "ours" | "baseline") => spread((paired?.pairs ?? []).map((pair) => pair[side].databaseStatementsPerRequest ?? 0));
      const text = (side: "ours" | "baseline") => (paired ? spreadText(perRequest(side), n, (value) => value.toFixed(2)) : "—");
      row(`${label}: database round trips per request (statements sent, counted)`, text("ours"), text("baseline"), "—", "(reported)", "n/a");
    }
  };
  vsBaseline("second step, wrong code, SQLite", results.sqliteWrongPairs, wrong, baseline, { throughput: checks.secondStepThroughput, p99: checks.secondStepP99 });
  if (pgWrong) vsBaseline("second step, wrong code, PostgreSQL", pgPairs, pgWrong, pgBaseline, { throughput: checks.pgSecondStepThroughput, p99: checks.pgSecondStepP99 });
  else row("second step, wrong code, PostgreSQL", `not run: ${results.pg?.notRun ?? "not selected"}`, "—", "—", "(reported)", "n/a");
  if (right) row("second step, right code, SQLite: throughput", `${int(right.load.requestsPerSecond)} req/s, p99 ${right.load.latencyMs.p99} ms`, bare ? `bare route: ${int(bare.load.requestsPerSecond)} req/s` : "—", ratios.rightVsBare === null ? "—" : pct(ratios.rightVsBare), "(reported)", "n/a");
  if (wrong && bare) row("second step, wrong code, vs bare route", `${int(wrong.load.requestsPerSecond)} req/s`, `bare: ${int(bare.load.requestsPerSecond)} req/s; baseline ${ratios.baselineVsBare === null ? "—" : pct(ratios.baselineVsBare)} of bare`, pct(ratios.wrongVsBare!), "(reported)", "n/a");
  if (login) {
    row(
      `full login (password + TOTP), ${settings.loginUsers} users at once`,
      `${login.load.requestsPerSecond.toFixed(1)} logins/s, p99 ${login.load.latencyMs.p99} ms`,
      argon2Only ? `argon2id-only: ${argon2Only.load.requestsPerSecond.toFixed(1)} verifies/s, p99 ${argon2Only.load.latencyMs.p99} ms` : "not run",
      results.loginPairs ? spreadText(results.loginPairs.throughputRatio, results.loginPairs.pairs.length, pct) : ratios.loginVsArgon2 === null ? "—" : pct(ratios.loginVsArgon2),
      `≥ ${targets.loginVsArgon2 * 100} % of argon2id-only`,
      judged(checks.fullLogin, login, argon2Only, ...pairedPhases(results.loginPairs)),
    );
  }
  if (wrong || right) {
    row("RSS under second-step load (twostep server peak, wrong + right code)", `${mb(secondStepRss).toFixed(1)} MB`, baseline ? `baseline server: ${mb(baseline.maxRssBytes).toFixed(1)} MB; bare: ${bare ? mb(bare.maxRssBytes).toFixed(1) : "—"} MB` : "—", baseline ? `${(secondStepRss / baseline.maxRssBytes).toFixed(2)}×` : "—", `≤ ${targets.rssMb} MB`, verdict(checks.rss));
  }
  if (login) {
    row("twostep server max RSS, full-login load (argon2id in flight)", `${mb(login.maxRssBytes).toFixed(1)} MB`, argon2Only ? `argon2id-only server: ${mb(argon2Only.maxRssBytes).toFixed(1)} MB` : "—", argon2Only ? `${(login.maxRssBytes / argon2Only.maxRssBytes).toFixed(2)}×` : "—", "(reported)", "n/a");
  }
  if (results.metricsOn.length > 0) {
    const perRound = (phases: Phase[]) => phases.map((phase) => int(phase.load.requestsPerSecond)).join(" | ");
    row(
      "second step, wrong code, SQLite: metrics on vs off (median of the rounds' ratios, min–max; order swapped every round)",
      `on: ${perRound(results.metricsOn)} req/s`,
      `off: ${perRound(results.metricsOff)} req/s`,
      `${spreadText(metricsRounds!.throughput, metricsRoundPairs.length, pct, "rounds")} (CPU per request ${spreadText(metricsRounds!.cpu, metricsRoundPairs.length, (value) => `${value.toFixed(3)}×`, "rounds")}; summed ${pct(ratios.metricsOnVsOffSummed!)})`,
      `≥ ${targets.metricsOnVsOff * 100} % of off`,
      judged(checks.metrics, ...results.metricsOn, ...results.metricsOff),
    );
  }
  if (results.forwardAuthLatencyPairs && forwardAuthLatency) {
    const paired = results.forwardAuthLatencyPairs;
    const n = paired.pairs.length;
    const { ours, baseline: base } = paired.median;
    row(
      `forward auth (GET /forward-auth, a valid session): latency, ${results.forwardAuthConnections} at a time`,
      `p50 ${ours.load.latencyMs.p50} / p99 ${ours.load.latencyMs.p99} ms`,
      `bare GET route: p50 ${base.load.latencyMs.p50} / p99 ${base.load.latencyMs.p99} ms`,
      `p50 ${spreadText(forwardAuthLatency.p50, n, times)}, p99 ${spreadText(forwardAuthLatency.p99, n, times)}`,
      `p50 and p99 ≤ ${targets.forwardAuthLatencyVsBare}× bare`,
      judged(checks.forwardAuthLatency, ...pairedPhases(paired)),
    );
    row(`forward auth: server CPU per check`, `${int(ours.serverCpuMicrosPerRequest)} µs`, `${int(base.serverCpuMicrosPerRequest)} µs`, spreadText(paired.cpuRatio, n, times), "(reported)", "n/a");
  }
  if (results.forwardAuthThroughputPairs) {
    const paired = results.forwardAuthThroughputPairs;
    const { ours, baseline: base } = paired.median;
    row(`forward auth: checks per second, ${settings.connections} connections`, `${int(ours.load.requestsPerSecond)} /s, p99 ${ours.load.latencyMs.p99} ms`, `bare GET route: ${int(base.load.requestsPerSecond)} req/s, p99 ${base.load.latencyMs.p99} ms`, spreadText(paired.throughputRatio, paired.pairs.length, pct), "(reported)", judged(null, ...pairedPhases(paired)));
  }
  if (results.tokenLoop) {
    const loop = results.tokenLoop;
    const token = results.tokenRequestMs;
    row(
      `app sign-in: authorize (single sign-on) + token endpoint (code → tokens, PKCE, client_secret_basic), ${settings.loginUsers} loops`,
      `${loop.load.requestsPerSecond.toFixed(0)} codes redeemed/s, p99 ${loop.load.latencyMs.p99} ms each; token request alone p50 ${token?.p50.toFixed(2) ?? "?"} / p99 ${token?.p99.toFixed(2) ?? "?"} ms`,
      results.forwardAuthThroughputPairs ? `bare GET route: ${int(results.forwardAuthThroughputPairs.median.baseline.load.requestsPerSecond)} req/s` : "—",
      `${int(loop.serverCpuMicrosPerRequest)} µs CPU per sign-in`,
      "(reported)",
      judged(null, loop),
    );
  }
  if (pgWrong) row("twostep server max RSS, PostgreSQL second step", `${mb(pgWrong.maxRssBytes).toFixed(1)} MB`, pgBaseline ? `PostgreSQL baseline server: ${mb(pgBaseline.maxRssBytes).toFixed(1)} MB` : "—", pgBaseline ? `${(pgWrong.maxRssBytes / pgBaseline.maxRssBytes).toFixed(2)}×` : "—", "(reported)", "n/a");

  const header = ["Measure", "twostep", "Baseline (same run)", "Ratio", "Target", "Result"];
  const lines = [
    "",
    `## twostep benchmark — ${new Date().toISOString()}`,
    "",
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}); autocannon ${settings.connections} connections, full logins ${settings.loginUsers} users at once; ${settings.warmup} s warm-up + ${settings.duration} s measured per run; each server in its own child process (${results.serverRuntime ?? "?"}), node flags: ${[...productionNodeFlags, ...serverNodeArgs].join(" ") || "none"}, ${Object.entries(productionMallocEnv).map(([name, value]) => `${name}=${value}`).join(" ")}.`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    "",
  ];
  // Issue 16 item 4: each server's resident memory at start and during each measured phase (VmRSS from /proc, every 20 ms).
  const rssRows: [string, number | undefined, Phase | null][] = [
    ["twostep, SQLite, second step, wrong code", results.startupRss.twostep, wrong],
    ["twostep, SQLite, second step, right code", results.startupRss.twostep, right],
    ["twostep, SQLite, full login (argon2id in flight)", results.startupRss.twostep, login],
    ...results.metricsOff.map((phase, index): [string, number | undefined, Phase] => [`twostep, SQLite, metrics off (round ${index + 1})`, undefined, phase]),
    ...results.metricsOn.map((phase, index): [string, number | undefined, Phase] => [`twostep, SQLite, metrics on (round ${index + 1})`, undefined, phase]),
    ["twostep, PostgreSQL, second step, wrong code", results.startupRss.twostepPostgres, pgWrong],
    ["baseline (hand-written), SQLite, wrong code", results.startupRss.baseline, baseline],
    ["baseline, argon2id-only route", results.startupRss.baseline, argon2Only],
    ["baseline (hand-written), PostgreSQL, wrong code", results.startupRss.baselinePostgres, pgBaseline],
    ["bare Fastify route", results.startupRss.bare, bare],
  ];
  const measuredRss = rssRows.filter(([, , phase]) => phase !== null);
  if (measuredRss.length > 0) {
    lines.push("| Server RSS per phase | at start | peak (VmRSS) | at the end (VmRSS) |", "| --- | --- | --- | --- |");
    for (const [label, startup, phase] of measuredRss) {
      const vm = phase!.vmRss;
      lines.push(`| ${label} | ${startup === undefined ? "—" : `${mb(startup).toFixed(1)} MB`} | ${vm ? `${mb(vm.peakBytes).toFixed(1)} MB` : "—"} | ${vm ? `${mb(vm.endBytes).toFixed(1)} MB` : "—"} |`);
    }
    lines.push("");
  }
  const detail = (label: string, phase: Phase | null) => {
    if (!phase) return;
    const l = phase.load;
    const m = phase.serverMemoryAtEnd;
    lines.push(
      `- ${label}: ${int(l.totalRequests)} done, latency avg ${l.latencyMs.average.toFixed(2)} / p50 ${l.latencyMs.p50} / p90 ${l.latencyMs.p90} / p99 ${l.latencyMs.p99} / max ${l.latencyMs.max} ms, ` +
        `unexpected ${JSON.stringify(l.unexpectedResponses)}, socket errors ${l.errors}, timeouts ${l.timeouts}, max RSS ${mb(phase.maxRssBytes).toFixed(1)} MB, ` +
        `server CPU ${phase.serverCpuMicrosPerRequest.toFixed(0)} µs each (${phase.serverCoresBusy.toFixed(2)} cores busy; other processes ${phase.otherCoresBusy?.toFixed(2) ?? "?"} cores), ` +
        (phase.databaseCpuMicrosPerRequest === null ? "" : `database server CPU ${phase.databaseCpuMicrosPerRequest.toFixed(0)} µs each, `) +
        `event-loop delay p99 ${phase.serverLoopDelayMs.p99.toFixed(1)} / max ${phase.serverLoopDelayMs.max.toFixed(1)} ms, heap ${mb(m.heapUsed).toFixed(0)}/${mb(m.heapTotal).toFixed(0)} MB used/total` +
        `${m.heapUsedAfterGc === null ? "" : ` (${mb(m.heapUsedAfterGc).toFixed(0)} MB after a full GC)`}, external ${mb(m.external).toFixed(0)} MB` +
        (m.anonymous === null ? "" : `, resident anonymous ${mb(m.anonymous).toFixed(0)} MB + file-backed ${mb(m.fileBacked ?? 0).toFixed(0)} MB`),
    );
  };
  detail("bare route (POST /bare, JSON body parsed, small JSON reply)", bare);
  detail("baseline second step (bench/baseline-server.ts), wrong code", baseline);
  detail("real second step, wrong code, SQLite", wrong);
  detail("real second step, right code, SQLite", right);
  detail("baseline second step (bench/baseline-postgres.ts), wrong code, PostgreSQL", pgBaseline);
  detail("real second step, wrong code, PostgreSQL", pgWrong);
  detail("argon2id-only route (one verify per request)", argon2Only);
  detail("full login (POST /api/login, then POST /api/login/second-factor with the right code)", login);
  detail("forward auth, latency (median pair)", results.forwardAuthLatencyPairs?.median.ours ?? null);
  detail("bare GET route, latency (median pair)", results.forwardAuthLatencyPairs?.median.baseline ?? null);
  detail("forward auth, checks per second (median pair)", results.forwardAuthThroughputPairs?.median.ours ?? null);
  detail("bare GET route, checks per second (median pair)", results.forwardAuthThroughputPairs?.median.baseline ?? null);
  detail("app sign-in, authorize + token per iteration", results.tokenLoop);
  lines.push(
    `- Wrong-code runs cycle over ${settings.wrongPoolSize} users' flows with a code none of their keys shows near now; throttle raised so every request does the full verification (TWOSTEP_USER_FREE_FAILURES=${settings.userFreeFailures}, TWOSTEP_ADDRESS_FREE_FAILURES=${settings.addressFreeFailures}); attempt counters are cleared between runs.`,
    `- The baseline answers only wrong codes (a matching code is a 422, counted as unexpected). Right-code and full-login runs use each seeded flow / user once; replay protection stays on${results.rightPoolExhausted ? `; POOL EXHAUSTED for ${results.rightPoolExhausted} requests (results invalid, raise BENCH_USERS)` : ""}. ${int(settings.users)} users seeded in ${results.seedSeconds.toFixed(1)} s (argon2id at the production parameters, one shared hash).`,
    `- Startup RSS: ${Object.entries(results.startupRss).map(([name, bytes]) => `${name} ${mb(bytes).toFixed(1)} MB`).join(", ")}. Machine load average ${settings.loadAverage.before.toFixed(2)} before, ${settings.loadAverage.after.toFixed(2)} after.`,
  );
  lines.push(
    `- Pairs (${settings.pairs} per row): each twostep phase and its baseline's alternate, both servers up, the order swapped every pair; a ratio is the median over the pairs, min–max beside it; the absolute figures are the median pair's. A row is DISTURBED when any of its phases saw other processes use more than ${disturbedCores} cores.`,
  );
  for (const [name, paired] of [["SQLite second step", results.sqliteWrongPairs], ["full login", results.loginPairs], ["PostgreSQL second step", pgPairs], ["forward auth latency (bare GET)", results.forwardAuthLatencyPairs], ["forward auth checks per second (bare GET)", results.forwardAuthThroughputPairs]] as const) {
    if (!paired) continue;
    lines.push(`- ${name}, per pair (twostep / baseline req/s, µs CPU per request): ${paired.pairs.map(({ ours, baseline: base }) => `${int(ours.load.requestsPerSecond)}/${int(base.load.requestsPerSecond)}, ${int(ours.serverCpuMicrosPerRequest)}/${int(base.serverCpuMicrosPerRequest)}`).join("; ")}.`);
  }
  if (results.pg?.check) lines.push(`- PostgreSQL durable work, checked before measuring: ${results.pg.check}.`);
  const allPhases = [bare, baseline, argon2Only, wrong, right, login, results.tokenLoop, ...pairedPhases(results.sqliteWrongPairs), ...pairedPhases(results.loginPairs), ...pairedPhases(pgPairs), ...pairedPhases(results.forwardAuthLatencyPairs), ...pairedPhases(results.forwardAuthThroughputPairs)];
  if (!allPhases.every(clean)) lines.push("- WARNING: some responses were not the expected ones (see above); the numbers for that run are suspect.");
  lines.push("", `Total bench time ${settings.totalSeconds.toFixed(0)} s.`, "");
  process.stdout.write(lines.join("\n"));

  const resultsDir = join(import.meta.dirname, "results");
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    nodeFlags: [...productionNodeFlags, ...serverNodeArgs],
    mallocArenaMax: productionMallocArenaMax,
    settings,
    targets,
    ratios: { ...ratios, forwardAuthLatency },
    checks,
    /** Phases during which other processes used more than `disturbedCores` of CPU: their ratios are not trustworthy. */
    disturbed: [
      ...Object.entries({ bare, right, ...(results.sqliteWrongPairs ? {} : { baseline, wrong }), ...(results.loginPairs ? {} : { argon2Only, login }) }),
      ...Object.entries({ tokenLoop: results.tokenLoop }),
      ...Object.entries({ sqliteWrong: results.sqliteWrongPairs, login: results.loginPairs, pgWrong: pgPairs, forwardAuthLatency: results.forwardAuthLatencyPairs, forwardAuthThroughput: results.forwardAuthThroughputPairs }).flatMap(([name, paired]) =>
        (paired?.pairs ?? []).flatMap(({ ours, baseline: base }, index) => [[`${name} pair ${index + 1} twostep`, ours], [`${name} pair ${index + 1} baseline`, base]] as const),
      ),
    ]
      .filter(([, phase]) => (phase?.otherCoresBusy ?? 0) > disturbedCores)
      .map(([name, phase]) => ({ phase: name, otherCoresBusy: phase!.otherCoresBusy })),
    rss: { secondStepMaxMb: wrong || right ? mb(secondStepRss) : null, fullLoginMaxMb: login ? mb(login.maxRssBytes) : null, startupMb: Object.fromEntries(Object.entries(results.startupRss).map(([name, bytes]) => [name, mb(bytes)])) },
    ...results,
  };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`[bench] wrote ${join("bench", "results", "latest.json")}\n`);
}
