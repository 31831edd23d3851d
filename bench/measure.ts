/** Load phases for bench/run.ts: autocannon runs, and warm-up + measured windows with the server's own CPU and RSS. */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import autocannon, { type RequestData, type Result } from "autocannon";
import type { ClosedLoopResult } from "./closed-loop.js";
import type { ServerChild, ServerReport } from "./servers.js";

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const mb = (bytes: number) => bytes / 1024 / 1024;

interface Tally {
  expected: number;
  unexpected: Record<string, number>;
}

export interface LoadResult {
  requestsPerSecond: number;
  totalRequests: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  expectedResponses: number;
  unexpectedResponses: Record<string, number>;
}

const errorCode = (body: string) => /"code":"([a-z_]+)"/.exec(body)?.[1] ?? "no code";

export async function load(
  connections: number,
  port: number,
  path: string,
  seconds: number,
  makeBody: () => string,
  isExpected: (status: number, body: string) => boolean,
  /** A GET with these headers instead of a POST of `makeBody()` (forward auth). */
  get?: { method: "GET"; headers: Record<string, string> },
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
        path,
        ...(get
          ? { method: "GET", headers: { "user-agent": "twostep-bench", ...get.headers } }
          : { method: "POST", headers: { "content-type": "application/json", "user-agent": "twostep-bench" }, setupRequest: (request: RequestData) => ({ ...request, body: makeBody() }) }),
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

export interface Phase {
  load: LoadResult;
  /** The highest of the server's own 25 ms samples and the VmRSS samples below. */
  maxRssBytes: number;
  /** The server process's VmRSS (/proc/<pid>/status) read every 20 ms from here during the measured run: its peak and its value at the end; null off Linux. */
  vmRss: { peakBytes: number; endBytes: number } | null;
  /** Server CPU time (user + system, all threads) per request in the measured run. */
  serverCpuMicrosPerRequest: number;
  /** Server CPU time / wall time: 1.0 means one core fully busy. */
  serverCoresBusy: number;
  /** Whole machine CPU busy (cores) during the run, and the part neither the server nor this load generator used. */
  machineCoresBusy: number | null;
  otherCoresBusy: number | null;
  serverMemoryAtEnd: ServerReport["memory"];
  serverLoopDelayMs: ServerReport["loopDelayMs"];
  /** Statements (= round trips) the server sent to PostgreSQL per request in the measured run; null when not counted. */
  databaseStatementsPerRequest: number | null;
  /** CPU time of the database server (all its processes) per request in the measured run; null when it is not a local cluster the bench can read. */
  databaseCpuMicrosPerRequest: number | null;
  /** The bench process's own CPU per request (the load generator), µs. */
  generatorMicrosPerRequest: number;
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), to see whether something else competed for the CPU. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** VmRSS of a process from /proc/<pid>/status (Linux), in bytes; null where there is none. */
export function vmRssOf(pid: number): number | null {
  try {
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS every `everyMs` until stopped: the peak and the last value. */
function sampleVmRss(pid: number, everyMs = 20): () => { peakBytes: number; endBytes: number } | null {
  let peak: number | null = null;
  const take = () => {
    const now = vmRssOf(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
    return now;
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    const end = take();
    return peak === null || end === null ? null : { peakBytes: peak, endBytes: end };
  };
}

/**
 * Warm-up (discarded), then the measured run with a fresh max-RSS window. `databaseCpuMicros`
 * (PostgreSQL runs) reads the database server's CPU time so far: its work is the phase's own,
 * not a disturbance, and is reported per request.
 */
export async function phase(
  timing: { warmup: number; duration: number; connections: number | string },
  server: ServerChild,
  label: string,
  run: (seconds: number) => Promise<LoadResult>,
  beforeMeasure?: () => unknown,
  databaseCpuMicros?: () => number | null,
): Promise<Phase> {
  log(`${label}: warm-up ${timing.warmup}s`);
  await run(timing.warmup);
  // After the warm-up's last requests have finished: clearing counters under them could deadlock.
  await server.resetRss();
  await beforeMeasure?.();
  log(`${label}: measuring ${timing.duration}s at ${timing.connections} connections`);
  const started = process.hrtime.bigint();
  const machineBefore = machineCpu();
  const generatorBefore = process.cpuUsage();
  const databaseBefore = databaseCpuMicros?.() ?? null;
  const stopSampling = sampleVmRss(server.pid);
  const result = await run(timing.duration);
  const vmRss = stopSampling();
  const generatorCpu = process.cpuUsage(generatorBefore);
  const databaseAfter = databaseCpuMicros?.() ?? null;
  const machineAfter = machineCpu();
  // The wall time of the run itself: the report waits for the requests left in flight to finish.
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  const report = await server.rss();
  const cpuMicros = report.cpuUserMicros + report.cpuSystemMicros;
  const serverCpuMicrosPerRequest = cpuMicros / Math.max(result.totalRequests, 1);
  const databaseMicros = databaseBefore === null || databaseAfter === null ? null : databaseAfter - databaseBefore;
  const databaseCpuMicrosPerRequest = databaseMicros === null ? null : databaseMicros / Math.max(result.totalRequests, 1);
  const serverCoresBusy = cpuMicros / wallMicros;
  let machineCoresBusy: number | null = null;
  let otherCoresBusy: number | null = null;
  if (machineBefore && machineAfter && machineAfter.total > machineBefore.total) {
    const cores = cpus().length;
    machineCoresBusy = ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cores;
    otherCoresBusy = Math.max(0, machineCoresBusy - serverCoresBusy - (generatorCpu.user + generatorCpu.system + (databaseMicros ?? 0)) / wallMicros);
  }
  // The bench process's own CPU (autocannon or the closed loop's fetch calls) per request or iteration: it shares the machine's cores with the server.
  const generatorMicrosPerRequest = (generatorCpu.user + generatorCpu.system) / Math.max(result.totalRequests, 1);
  const counted = report.databaseStatements;
  const databaseStatementsPerRequest = counted === null ? null : counted.statements / Math.max(counted.requests, 1);
  log(
    `${label}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.latencyMs.p99} ms, max RSS ${mb(Math.max(report.maxRss, vmRss?.peakBytes ?? 0)).toFixed(1)} MB (VmRSS at the end ${vmRss ? mb(vmRss.endBytes).toFixed(1) : "?"} MB), ` +
      `server CPU ${serverCpuMicrosPerRequest.toFixed(0)} µs/request (${(report.cpuSystemMicros / Math.max(cpuMicros, 1) * 100).toFixed(0)} % system), load generator (this process) ${generatorMicrosPerRequest.toFixed(0)} µs/request, ${serverCoresBusy.toFixed(2)} cores busy, other processes ${otherCoresBusy?.toFixed(2) ?? "?"} cores, ${databaseStatementsPerRequest === null ? "" : `${databaseStatementsPerRequest.toFixed(2)} database statements/request, `}${databaseCpuMicrosPerRequest === null ? "" : `database CPU ${databaseCpuMicrosPerRequest.toFixed(0)} µs/request, `}unexpected ${JSON.stringify(result.unexpectedResponses)}`,
  );
  return { load: result, maxRssBytes: Math.max(report.maxRss, vmRss?.peakBytes ?? 0), vmRss, serverCpuMicrosPerRequest, serverCoresBusy, machineCoresBusy, otherCoresBusy, serverMemoryAtEnd: report.memory, serverLoopDelayMs: report.loopDelayMs, databaseStatementsPerRequest, databaseCpuMicrosPerRequest, generatorMicrosPerRequest };
}

/** A closed-loop result in the shape of an autocannon one (one "request" = one iteration). */
export function asLoadResult(result: ClosedLoopResult): LoadResult {
  return {
    requestsPerSecond: result.iterationsPerSecond,
    totalRequests: result.iterations,
    latencyMs: result.latencyMs,
    errors: 0,
    timeouts: 0,
    expectedResponses: result.expected,
    unexpectedResponses: result.unexpected,
  };
}
