import type { Kysely } from "kysely";
import type { ServiceDeps } from "../services/deps.js";
import { missingMigrations, pingDatabase } from "../store/health.js";
import type { Database } from "../store/schema.js";

/**
 * GET /readyz: may a load balancer send this instance requests? Asked afresh on
 * every call (no cached answer), so an instance whose database went away turns
 * not-ready at once and ready again when it answers, without a restart.
 */
export interface CheckResult {
  ok: boolean;
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: CheckResult; migrations: CheckResult; keys: CheckResult; shutdown: CheckResult };
}

export const databaseAnswerMs = 1000;

class TimedOut extends Error {}

/** `work`, or a TimedOut after `ms` (the work itself is left to finish or fail on its own). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A reason an operator can act on, never the driver's whole message (it may name a host or a user). */
function databaseReason(error: unknown): string {
  if (error instanceof TimedOut) return `the database did not answer within ${databaseAnswerMs} ms`;
  const code = (error as { code?: unknown } | null)?.code;
  return `the database did not answer (${typeof code === "string" && /^[A-Z0-9_]{1,32}$/.test(code) ? code : error instanceof Error ? error.name : "error"})`;
}

export async function checkReadiness(parts: { db: Kysely<Database>; secretBox: ServiceDeps["secretBox"]; shuttingDown: boolean }): Promise<Readiness> {
  const started = Date.now();
  let database: CheckResult;
  let migrations: CheckResult;
  try {
    await within(databaseAnswerMs, pingDatabase(parts.db));
    database = { ok: true };
    try {
      const missing = await within(Math.max(1, databaseAnswerMs - (Date.now() - started)), missingMigrations(parts.db));
      migrations = missing.length === 0 ? { ok: true } : { ok: false, reason: `${missing.length} migration(s) not applied: ${missing.join(", ")}; run twostep migrate or restart` };
    } catch (error) {
      migrations = { ok: false, reason: databaseReason(error) };
    }
  } catch (error) {
    database = { ok: false, reason: databaseReason(error) };
    migrations = { ok: false, reason: "not checked: the database did not answer" };
  }
  let keys: CheckResult;
  try {
    const probe = "twostep readiness probe";
    const opened = parts.secretBox.open(parts.secretBox.seal(Buffer.from(probe), "readiness"), "readiness").toString("utf8");
    keys = opened === probe ? { ok: true } : { ok: false, reason: "the encryption key does not open what it sealed" };
  } catch {
    keys = { ok: false, reason: "the encryption key does not seal and open" };
  }
  const shutdown: CheckResult = parts.shuttingDown ? { ok: false, reason: "shutting down: finishing requests in flight" } : { ok: true };
  return { ready: database.ok && migrations.ok && keys.ok && shutdown.ok, checks: { database, migrations, keys, shutdown } };
}
