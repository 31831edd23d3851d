/**
 * Startup RSS and what each big module costs (issue 16 item 4), reproducible:
 *
 *   bash scripts/with-runtime.sh npm run build
 *   bash scripts/with-runtime.sh node --import tsx bench/memory-split.ts [postgres://… to also start on PostgreSQL]
 *
 * 1. Each module alone: a fresh `node` (the production flags of package.json config.serverNodeFlags and
 *    its MALLOC_ARENA_MAX) that imports only that module; its RSS after a full collection minus the RSS
 *    of the same process importing nothing. Modules share dependencies (fastify, the Node streams), so
 *    the figures overlap and do not add up to the server's.
 * 2. The server: `node dist/server.js` as `npm start` runs it (production, management listener on a free
 *    loopback port), on a fresh SQLite file and, with a URL, on PostgreSQL; its VmRSS from /proc once it
 *    prints that it is serving, and the modules it had loaded from node_modules (by package).
 *
 * Medians of BENCH_MEMORY_RUNS (default 3) processes each. Figures in MB of 2^20 bytes, as the bench reports them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const projectDir = dirname(import.meta.dirname);
const packageConfig = (JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { config: { serverNodeFlags: string; serverMallocArenaMax: string; serverMallocMmapThreshold: string; serverMallocTrimThreshold: string } }).config;
const nodeFlags = packageConfig.serverNodeFlags.split(" ").filter(Boolean);
const runs = Number(process.env.BENCH_MEMORY_RUNS ?? 3);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The big modules the server has loaded at one time or another (and its own layers, compiled, from dist/). */
const modules = [
  "fastify",
  "kysely",
  "better-sqlite3",
  "pg",
  "argon2",
  "pino",
  "pino-pretty",
  "prom-client",
  "oidc-provider",
  "jose",
  "@fastify/swagger",
  "@fastify/swagger-ui",
  "@fastify/static",
  "nodemailer",
  "qrcode",
  "@simplewebauthn/server",
  "libphonenumber-js",
  "@sinclair/typebox",
  "@fastify/ajv-compiler",
  "./dist/http/app.js",
  "./dist/bootstrap.js",
];

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || packageConfig.serverMallocArenaMax,
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ || packageConfig.serverMallocMmapThreshold,
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ || packageConfig.serverMallocTrimThreshold,
    ...extra,
  };
}

/** RSS of a fresh node after importing `specifier` (null: nothing) and a full collection. */
async function rssAfterImport(specifier: string | null): Promise<number> {
  const target = specifier?.startsWith("./") ? join(projectDir, specifier) : specifier;
  const script = `${target ? `await import(${JSON.stringify(target)});` : ""} globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc(); process.stdout.write(String(process.memoryUsage.rss()));`;
  const output = await run(process.execPath, [...nodeFlags, "--expose-gc", "--input-type=module", "-e", script], childEnv(), (text) => /^\d+$/.test(text.trim()));
  return Number(output.trim());
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, done: (stdout: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => (code === 0 && done(stdout) ? resolve(stdout) : reject(new Error(`${args.join(" ").slice(0, 200)} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

/** `node dist/server.js` until it serves: its VmRSS then, and the packages it loaded (listed by a preload). */
async function serverStartup(databaseUrl: string | null): Promise<{ rss: number; packages: string[] }> {
  const workDir = mkdtempSync(join(tmpdir(), "twostep-memory-"));
  const env = childEnv({
    TWOSTEP_ENV: "production",
    NODE_ENV: "production",
    TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"),
    TWOSTEP_DATABASE_URL: databaseUrl ?? `sqlite:${join(workDir, "memory.sqlite")}`,
    TWOSTEP_DATA_DIR: workDir,
    TWOSTEP_PUBLIC_URL: "https://twostep.bench.invalid",
    TWOSTEP_PORT: "0",
    // A port of its own per process (0 is refused here): the bench's processes never run two servers at once.
    TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${20_000 + Math.floor(Math.random() * 20_000)}`,
    TWOSTEP_LOG_LEVEL: "silent",
  });
  const loadedFile = join(workDir, "loaded.txt");
  // bench/memory-loaded-packages.mjs writes the packages the server resolved so far on SIGUSR2.
  const child = spawn(process.execPath, [...nodeFlags, "--import", join(import.meta.dirname, "memory-loaded-packages.mjs"), "dist/server.js"], { cwd: projectDir, env: { ...env, TWOSTEP_MEMORY_LOADED_FILE: loadedFile }, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("twostep is serving")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`the server exited ${code} before serving: ${stderr.slice(-500)}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    child.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const packages = readFileSync(loadedFile, "utf8").split("\n").filter(Boolean);
    return { rss, packages };
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  const postgresUrl = process.argv[2] ?? null;
  const empty: number[] = [];
  for (let i = 0; i < runs; i++) empty.push(await rssAfterImport(null));
  const floor = median(empty);
  process.stdout.write(`node ${process.version}, flags ${nodeFlags.join(" ")}, MALLOC_ARENA_MAX=${childEnv().MALLOC_ARENA_MAX}; medians of ${runs} processes\n\n`);
  process.stdout.write(`empty node: ${mb(floor)} MB\n\n| module (alone, after gc) | RSS over empty node, MB |\n| --- | --- |\n`);
  for (const name of modules) {
    const values: number[] = [];
    for (let i = 0; i < runs; i++) values.push(await rssAfterImport(name));
    process.stdout.write(`| ${name} | ${mb(median(values) - floor)} |\n`);
  }
  for (const [store, url] of [["SQLite", null], ...(postgresUrl ? [["PostgreSQL", postgresUrl]] : [])] as [string, string | null][]) {
    const values: number[] = [];
    let packages: string[] = [];
    for (let i = 0; i < runs; i++) ({ rss: values[i]!, packages } = await serverStartup(url));
    process.stdout.write(`\nserver startup RSS on ${store}: ${mb(median(values))} MB (${values.map(mb).join(", ")})\n  packages loaded: ${packages.join(", ")}\n`);
  }
}

await main();
