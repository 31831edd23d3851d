import type { FastifyInstance } from "fastify";
import type { Logger } from "../services/deps.js";

/**
 * Graceful shutdown on SIGTERM or SIGINT (README "Operate"), in this order:
 * 1. /readyz answers 503, so a load balancer stops sending new requests;
 * 2. the public listener closes: no new connection is accepted, idle keep-alive
 *    connections are closed, and every request already read runs to its answer, for up
 *    to `graceSeconds`; then the connections still open are cut (logged);
 * 3. the message dispatcher finishes the batch it claimed and claims no other (what is
 *    left stays pending in the outbox for the next process: nothing lost, nothing twice);
 * 4. the reminder timer stops, the database closes, the management listener closes;
 * 5. the process exits 0.
 * A second signal while this runs is logged and changes nothing.
 */
export interface ShutdownParts {
  app: FastifyInstance;
  management: FastifyInstance | null;
  markShuttingDown(): void;
  stopDispatcher(): Promise<void>;
  /** Stops the periodic jobs (the 2FA reminders, the sweep of expired app records). */
  stopSchedules(): void;
  closeRuntime(): Promise<void>;
  graceSeconds: number;
  logger: Logger;
}

export async function shutDown(parts: ShutdownParts, signal: string): Promise<void> {
  parts.logger.info({ signal, graceSeconds: parts.graceSeconds }, "shutting down: not ready, finishing requests in flight");
  parts.markShuttingDown();
  let cut = false;
  const grace = setTimeout(() => {
    cut = true;
    parts.logger.warn({ graceSeconds: parts.graceSeconds }, "requests still running after the grace period; closing their connections");
    parts.app.server.closeAllConnections();
  }, parts.graceSeconds * 1000);
  try {
    await parts.app.close();
  } finally {
    clearTimeout(grace);
  }
  await parts.stopDispatcher();
  parts.stopSchedules();
  await parts.closeRuntime();
  await parts.management?.close();
  parts.logger.info({ cut }, "shut down");
}

/** Runs shutDown once on the first SIGTERM or SIGINT, then exits 0 (1 if shutting down itself failed). */
export function onStopSignals(parts: ShutdownParts): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      parts.logger.warn({ signal }, "already shutting down");
      return;
    }
    started = true;
    shutDown(parts, signal).then(
      () => process.exit(0),
      (error: unknown) => {
        parts.logger.error({ err: error instanceof Error ? error.message : String(error) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
