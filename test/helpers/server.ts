import type { FastifyInstance } from "fastify";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/http/app.js";
import type { Clock } from "../../src/services/deps.js";
import { createTestRuntime, type TestRuntime } from "./runtime.js";

/**
 * The real time plus an offset the test moves: the server runs on the wall clock
 * like a real one, and a test can still say "30 seconds later" without sleeping.
 */
export class OffsetClock implements Clock {
  offsetMilliseconds = 0;
  now = () => Date.now() + this.offsetMilliseconds;
  advance(seconds: number) {
    this.offsetMilliseconds += seconds * 1000;
  }
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  runtime: TestRuntime;
  clock: OffsetClock;
  /** Everything Fastify logged (warnings and worse), as JSON lines. */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * The whole app listening on a free localhost port, on a temporary SQLite file,
 * with the test runtime's services (argon2 at its lowest cost) and an OffsetClock.
 * close() stops the server, closes the database and deletes the file; it is safe to call twice.
 */
export async function startTestServer(options: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), "twostep-e2e-"));
  let runtime: TestRuntime | undefined;
  let app: FastifyInstance | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await app?.close();
      await runtime?.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    runtime = await createTestRuntime({ databasePath: join(dir, "twostep.sqlite"), ...(options.env ? { env: options.env } : {}) });
    const clock = new OffsetClock();
    runtime.deps.clock = clock;
    // Whatever the runtime wired to its TestClock (e.g. the SMS outbox) follows the same time.
    runtime.clock.now = clock.now;
    const logLines: string[] = [];
    const stream = { write: (line: string) => void logLines.push(line) };
    app = await buildApp({ deps: runtime.deps, cookieSecret: "e2e-cookie-secret-e2e-cookie-secret", logger: { level: "warn", stream } });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, app, runtime, clock, logLines, close };
  } catch (error) {
    await close();
    throw error;
  }
}
