import { Agent, request } from "node:http";

/**
 * A closed-loop load generator for slow, multi-request work (a whole login), where
 * autocannon's one-request-per-turn model does not fit: `users` loops run at once,
 * each doing one `iteration` after another (e.g. password step, then TOTP step)
 * until the time is up. Iterations that are in flight at the end are finished and
 * counted in the tally but not in the rate, so the rate is iterations / wall time.
 */
export interface ClosedLoopResult {
  /** Completed, expected iterations per second. */
  iterationsPerSecond: number;
  iterations: number;
  /** Per iteration (all its requests), in milliseconds. */
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  expected: number;
  unexpected: Record<string, number>;
}

/** One iteration: resolves to "ok", or to a short label of what went wrong (counted, never thrown). */
export type Iteration = (user: number) => Promise<"ok" | string>;

export async function closedLoop(users: number, seconds: number, iteration: Iteration): Promise<ClosedLoopResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  let expected = 0;
  let inTime = 0;
  const loop = async (user: number) => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      let outcome: string;
      try {
        outcome = await iteration(user);
      } catch (error) {
        outcome = `error ${error instanceof Error ? error.message : String(error)}`.slice(0, 80);
      }
      const end = performance.now();
      latencies.push(end - begin);
      if (outcome === "ok") {
        expected++;
        if (end <= deadline) inTime++;
      } else unexpected[outcome] = (unexpected[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: users }, (_, user) => loop(user)));
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))] ?? 0;
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    iterationsPerSecond: inTime / seconds,
    iterations: latencies.length,
    latencyMs: {
      average: round(latencies.reduce((sum, value) => sum + value, 0) / Math.max(latencies.length, 1)),
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    expected,
    unexpected,
  };
}

/**
 * Keep-alive connections for `postJson`, at most 64 per server (the loops run 10 at once). node:http,
 * not `fetch`: the bench process shares the machine's two cores with the server, and fetch spent
 * 300–500 µs more CPU per request than this (one process serving and asking, 3,000 requests,
 * 10 at once: 415–652 against 99–168 µs), which a two-request login paid twice and the argon2id-only
 * route once.
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** POST a JSON body; the status and the parsed body (or null when it is not JSON). */
export function postJson(port: number, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "user-agent": "twostep-bench" };
    const sent = request({ host: "127.0.0.1", port, path, method: "POST", agent: keepAlive, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("error", reject);
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        try {
          resolve({ status, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          resolve({ status, body: null });
        }
      });
    });
    sent.on("error", reject);
    sent.end(payload);
  });
}
