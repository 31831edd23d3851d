import type { AppsDeps } from "./deps.js";
import { startPeriodicTask } from "../periodic.js";

/** How long the records of an ended twostep session are kept (a request begun before the end still finds them). */
export const endedSessionRecordsKeptMs = 24 * 60 * 60 * 1000;

/**
 * Deletes what the apps' sign-ins leave behind once it can no longer be used: the provider's rows (codes, tokens,
 * interactions, provider sessions, grants) past their expiry, and the login records and provider-session links of
 * twostep sessions that ended more than `endedSessionRecordsKeptMs` ago. Idempotent: several instances may run it.
 */
export async function sweepExpiredAppRecords(deps: Pick<AppsDeps, "clock" | "store">): Promise<{ providerRows: number; sessionRecords: number }> {
  const now = deps.clock.now();
  const providerRows = await deps.store.oidcPayloads.deleteExpiredOidcPayloads(now);
  const sessionRecords = await deps.store.sessionLogins.deleteRecordsOfSessionsEndedBy(now - endedSessionRecordsKeptMs);
  return { providerRows, sessionRecords };
}

/** Runs the sweep inside the server now and every `intervalMs` (default one hour). Returns `stop`. */
export function startExpiredAppRecordSweep(deps: Pick<AppsDeps, "clock" | "logger" | "store">, options: { intervalMs?: number } = {}): () => void {
  return startPeriodicTask(deps.logger, "the sweep of expired app records", options.intervalMs ?? 60 * 60 * 1000, () => sweepExpiredAppRecords(deps));
}
