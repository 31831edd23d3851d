/**
 * The server child processes of bench/run.ts (each runs bench/server.ts in one mode),
 * compiled to plain JavaScript first, as `npm start` runs the server.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const benchDir = import.meta.dirname;
const projectDir = dirname(benchDir);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const packageConfig = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { config: { serverNodeFlags: string; serverMallocArenaMax: string; serverMallocMmapThreshold: string; serverMallocTrimThreshold: string } }).config;
/** The twostep server runs with the same node flags as in production (package.json config.serverNodeFlags). */
export const productionNodeFlags = packageConfig.serverNodeFlags.split(" ").filter(Boolean);
/**
 * And with the same glibc arena cap as `npm start` (package.json config.serverMallocArenaMax);
 * MALLOC_ARENA_MAX in the bench's environment overrides it, to try other values.
 */
export const productionMallocArenaMax = process.env.MALLOC_ARENA_MAX || packageConfig.serverMallocArenaMax;
/**
 * glibc's fixed mmap and trim thresholds, as `npm start` sets them (package.json config): argon2id's
 * blocks are reused, not mapped afresh each hash. The environment overrides; set empty, a variable
 * is left out (glibc's own dynamic thresholds, as before issue 16).
 */
export const productionMallocEnv: Record<string, string> = Object.fromEntries(
  Object.entries({
    MALLOC_ARENA_MAX: productionMallocArenaMax,
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? packageConfig.serverMallocMmapThreshold,
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? packageConfig.serverMallocTrimThreshold,
  }).filter(([, value]) => value !== ""),
);
/** Extra node flags for every server child (BENCH_SERVER_NODE_ARGS), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
export const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

export interface ServerReport {
  maxRss: number;
  rss: number;
  heapUsed: number;
  /** CPU time the server process used since the last rss-reset (all its threads). */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** Event-loop delay (monitorEventLoopDelay, 10 ms resolution): how long the loop was blocked at a stretch. */
  loopDelayMs: { p99: number; max: number };
  /** At the end of the run: V8 heap, and from /proc/self/smaps_rollup (Linux) anonymous vs file-backed resident memory. */
  memory: { heapTotal: number; heapUsed: number; heapUsedAfterGc: number | null; external: number; anonymous: number | null; fileBacked: number | null };
  /** Statements sent to PostgreSQL since the last rss-reset and the requests they served (BENCH_COUNT_QUERIES=1 in the server's environment), else null. */
  databaseStatements: { statements: number; requests: number } | null;
}

export interface ServerChild {
  port: number;
  /** The server process, whose /proc/<pid>/status the phases read (bench/measure.ts). */
  pid: number;
  startupRss: number;
  rss(): Promise<ServerReport>;
  /** Starts a new measuring window once the server has no request in flight. */
  resetRss(): Promise<void>;
  stop(): Promise<void>;
}

export type ServerMode = "twostep" | "bare" | "baseline" | "baseline-postgres";

interface ServerScript {
  path: string;
  execArgv: string[];
  runtime: string;
}

/**
 * The servers run as plain JavaScript, as `npm start` does: src/ and bench/server.ts are
 * compiled with the project's tsc into bench/.build of this worktree (git-ignored; package
 * resolution and "type": "module" still work from there). Not under node_modules: that is
 * shared by every worktree, and two benches at once would delete each other's build. Type errors elsewhere in a work-in-progress
 * tree do not stop the emit. Falls back to tsx when nothing was emitted
 * (BENCH_SERVER_RUNTIME=tsx forces it; tsx alone adds ~45 MB of RSS).
 */
export function prepareServerScript(workDir: string): ServerScript {
  const tsx = { path: join(benchDir, "server.ts"), execArgv: ["--import", "tsx"], runtime: "tsx (node --import tsx)" };
  if (process.env.BENCH_SERVER_RUNTIME === "tsx") return tsx;
  const outDir = join(benchDir, ".build");
  rmSync(outDir, { recursive: true, force: true });
  const tsconfig = join(workDir, "tsconfig.bench-server.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(projectDir, "tsconfig.json"),
      compilerOptions: { rootDir: projectDir, outDir, noEmit: false, noEmitOnError: false, sourceMap: false, incremental: false },
      include: [join(benchDir, "server.ts"), join(benchDir, "baseline-server.ts"), join(benchDir, "baseline-postgres.ts"), join(benchDir, "autocannon.d.ts")],
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
  return { path, execArgv: [], runtime: "compiled JavaScript (tsc → bench/.build)" };
}

/** Starts one server child; rejects with the tail of its stderr if it exits before it is ready. */
export async function startServer(script: ServerScript, mode: ServerMode, env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const child: ChildProcess = fork(script.path, [mode], {
    env,
    execArgv: [...script.execArgv, ...productionNodeFlags, ...serverNodeArgs],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  let stderrTail = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  let nextId = 0;
  const pending = new Map<number, (value: ServerReport) => void>();
  let resetDone: (() => void) | undefined;
  const ready = new Promise<{ port: number; rss: number }>((resolve, reject) => {
    child.once("exit", (code) => {
      const reason = /^(?:Error|\w*Error)[^\n]*$/m.exec(stderrTail)?.[0] ?? stderrTail.trim().split("\n").pop() ?? "";
      reject(new Error(`${mode} server exited with ${code} before it was ready: ${reason}`));
    });
    child.on("message", (message: { type: string; id?: number; port?: number; rss?: number } & Partial<ServerReport>) => {
      if (message.type === "ready") resolve({ port: message.port!, rss: message.rss! });
      if (message.type === "rss") pending.get(message.id!)?.(message as ServerReport);
      if (message.type === "rss-reset-done") resetDone?.();
    });
  });
  const { port, rss } = await ready;
  return {
    port,
    pid: child.pid!,
    startupRss: rss,
    rss: () =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ type: "rss-report", id });
      }),
    resetRss: () =>
      new Promise((resolve) => {
        resetDone = resolve;
        child.send({ type: "rss-reset" });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.send({ type: "shutdown" });
      }),
  };
}
