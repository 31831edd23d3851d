import type { FastifyInstance } from "fastify";
import { createRuntime, type Runtime } from "../bootstrap.js";
import type { Config } from "../config.js";
import type { OperationsConfig } from "../config-operations.js";
import type { Logger } from "../services/deps.js";
import { outboxBacklog } from "../store/health.js";
import { buildManagementServer } from "./management-server.js";
import type { Metrics } from "./metrics.js";
import { instrumentsFor } from "./observed-parts.js";
import { checkReadiness, type Readiness } from "./readiness.js";
import { installRequestHooks, requestIdGenerator } from "./request-hooks.js";

/**
 * A server's parts as operations sees them: the runtime (with its store, gateways and
 * queries counted when metrics are on), hooks for the public app, and the management
 * listener. serve.ts starts them; bench/server.ts builds the same with metrics on or off.
 */
export interface OperatedRuntime {
  runtime: Runtime;
  metrics: Metrics | null;
  /** Fastify's genReqId for the public app. */
  genReqId: ReturnType<typeof requestIdGenerator>;
  /** Request ids in answers and log lines, request durations: buildApp's `instrument` (before its plugins). */
  instrumentApp(app: FastifyInstance, answeredOutside?: (url: string) => boolean): void;
  readiness(): Promise<Readiness>;
  /** /readyz answers 503 from now on (shutdown). */
  markShuttingDown(): void;
  /** The management listener, built (not listening), or null with TWOSTEP_MANAGEMENT_ADDRESS=off. */
  management: FastifyInstance | null;
}

/** The send-window limits the services apply, by the limit name of their key (observed-parts.ts). */
export function windowLimitsOf(config: Config): (limit: string) => number | null {
  const limits: Record<string, number> = {
    sms_user: config.sms.limitsPerHour.user,
    sms_address: config.sms.limitsPerHour.address,
    sms_number: config.sms.limitsPerHour.number,
    sms_country: config.sms.limitsPerHour.country,
    reset_address: config.passwordReset.limitPerAddressPerHour,
    reset_account: config.passwordReset.limitPerAccountPerHour,
  };
  return (limit) => limits[limit] ?? null;
}

export async function createOperatedRuntime(config: Config, operations: OperationsConfig, logger?: Logger): Promise<OperatedRuntime> {
  // No listener, no metrics: nothing is wrapped or counted (the bench's baseline).
  // prom-client is loaded only with a listener to serve it.
  const metrics = operations.management ? (await import("./metrics.js")).createMetrics() : null;
  const runtime = await createRuntime(config, { ...(logger ? { logger } : {}), ...(metrics ? { instruments: instrumentsFor(metrics, windowLimitsOf(config)) } : {}) });
  metrics?.watchOutbox(() => outboxBacklog(runtime.db), () => runtime.deps.clock.now());
  let shuttingDown = false;
  const readiness = () => checkReadiness({ db: runtime.db, secretBox: runtime.deps.secretBox, shuttingDown });
  return {
    runtime,
    metrics,
    genReqId: requestIdGenerator(operations.trustRequestId),
    instrumentApp: (app, answeredOutside) => installRequestHooks(app, metrics, () => shuttingDown, answeredOutside),
    readiness,
    markShuttingDown: () => {
      shuttingDown = true;
    },
    management: metrics ? await buildManagementServer({ metrics, readiness }) : null,
  };
}
