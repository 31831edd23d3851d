/**
 * Real server processes for multi-instance tests: each instance is its own
 * `node src/server.ts` on its own loopback port, all on one database and
 * one key, sharing nothing else, as behind a load balancer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmptyTestDatabase, testDatabaseKind } from "./database.js";
import { testKeyBase64 } from "./runtime.js";

export interface Instance {
  url: string;
  process: ChildProcess;
  output: string[];
}

/** A database every instance can open: a new PostgreSQL database under TWOSTEP_TEST_DATABASE=postgres, else a SQLite file. */
export async function createSharedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (testDatabaseKind() === "postgres") return createEmptyTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), "twostep-instances-"));
  return { url: `sqlite:${join(dir, "twostep.sqlite")}`, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** The environment every instance (and the test's own runtime) shares: database, key, cheap argon2 for speed. */
export function instanceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TWOSTEP_ENV: "test",
    TWOSTEP_DATABASE_URL: databaseUrl,
    TWOSTEP_ENCRYPTION_KEY: testKeyBase64,
    TWOSTEP_ARGON2_MEMORY_KIB: "1024",
    TWOSTEP_ARGON2_ITERATIONS: "1",
    TWOSTEP_PUBLIC_URL: "http://localhost:3000",
    TWOSTEP_SMS_GATEWAY: "outbox",
    ...extra,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts one instance (`nodeArgs`: more node flags, e.g. a preload) and waits until it answers; fails with its output if it exits or does not answer in 30 s. */
export async function startInstance(env: Record<string, string>, options: { nodeArgs?: string[] } = {}): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", ...(options.nodeArgs ?? []), "src/server.ts"], {
    // No management listener unless the test asks for one (its default port would be shared by every instance).
    env: { PATH: process.env.PATH ?? "", TWOSTEP_MANAGEMENT_ADDRESS: "off", ...env, TWOSTEP_HOST: "127.0.0.1", TWOSTEP_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance exited with ${child.exitCode}: ${output.join("")}`);
    try {
      const response = await fetch(`${url}/login`);
      if (response.status === 200) return { url, process: child, output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`instance did not answer in 30 s: ${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function stopInstance(instance: Instance): Promise<void> {
  if (instance.process.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once("exit", resolve));
  instance.process.kill("SIGTERM");
  await exited;
}

export interface JsonAnswer {
  status: number;
  body: Record<string, any>;
}

/** A JSON API call over real HTTP. */
export async function callApi(baseUrl: string, path: string, json?: unknown, token?: string): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  if (json !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, { method: json === undefined ? "GET" : "POST", headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
