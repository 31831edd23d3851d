import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";
import type { Config } from "../config.js";
import type { OperationsConfig } from "../config-operations.js";
import { redactedLogPaths } from "../services/log-redaction.js";

/**
 * The server's logs (README "Operate"): one JSON object a line on stdout, or
 * readable lines through pino-pretty (TWOSTEP_LOG_FORMAT=pretty, the default in
 * development on a terminal). Two pino loggers write there: Fastify's (each
 * request's lines are bound to its id, `reqId`) and the services' (deps.logger),
 * which adds the id of the request it runs for from `requestScope`.
 */
export const requestScope = new AsyncLocalStorage<{ reqId: string }>();

/** Runs `work` outside any request's scope: a timer it starts (the dispatcher's kick) must not log under that request's id. */
export function outsideRequestScope(work: () => void): void {
  requestScope.exit(work);
}

/** pino-pretty is loaded only when asked for (it is a development convenience; JSON needs nothing). */
async function destination(format: OperationsConfig["logFormat"]): Promise<pino.DestinationStream | undefined> {
  if (format !== "pretty") return undefined;
  const { default: pretty } = await import("pino-pretty");
  // The request id leads the message, so the lines of one request are easy to follow by eye.
  return pretty({ colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,reqId", messageFormat: "{if reqId}[{reqId}] {end}{msg}" });
}

export interface ServerLoggers {
  /** deps.logger: the services' lines, with `reqId` while a request runs. */
  services: pino.Logger;
  /** Fastify's `logger` option for the public app. */
  fastify: { level: string; redact: { paths: string[]; censor: string }; stream?: pino.DestinationStream };
}

export async function createServerLoggers(config: Config, operations: OperationsConfig): Promise<ServerLoggers> {
  const redact = { paths: [...redactedLogPaths], censor: "[redacted]" };
  const stream = await destination(operations.logFormat);
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact,
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { reqId: scope.reqId } : {};
    },
  };
  return {
    services: stream ? pino(options, stream) : pino(options),
    fastify: { level: config.logLevel, redact, ...(stream ? { stream } : {}) },
  };
}
