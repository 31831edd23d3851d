import { isIP } from "node:net";
import { boolean, ConfigError, integer, type Env } from "./config-env.js";

/**
 * How the server is operated (README "Operate"): the management listener, the
 * shutdown grace, the log format and whether an incoming request id is believed.
 * Read once at start beside config.ts; a bad value stops the start naming the variable.
 */
export interface OperationsConfig {
  /**
   * TWOSTEP_MANAGEMENT_ADDRESS (default 127.0.0.1:9464, `off` for none): where /healthz,
   * /readyz and /metrics listen, never on the public port. With `off` no metric is collected.
   */
  management: { host: string; port: number } | null;
  /** TWOSTEP_SHUTDOWN_GRACE_SECONDS (default 10): how long requests in flight may take to finish after SIGTERM/SIGINT. */
  shutdownGraceSeconds: number;
  /** TWOSTEP_LOG_FORMAT (json | pretty; default pretty in development on a terminal, json otherwise). */
  logFormat: "json" | "pretty";
  /**
   * TWOSTEP_TRUST_REQUEST_ID (default false): use a well-formed incoming X-Request-Id instead of a
   * new one. Only behind a proxy that always sets or overwrites it: a client could write any id.
   */
  trustRequestId: boolean;
}

export const defaultManagementAddress = "127.0.0.1:9464";

/** `host:port` (an IPv6 host in brackets: `[::1]:9464`), or `off`. */
export function parseManagementAddress(raw: string | undefined): OperationsConfig["management"] {
  const value = (raw ?? "").trim() || defaultManagementAddress;
  if (value === "off") return null;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  const hostOk = host !== undefined && (match?.[1] !== undefined ? isIP(host) === 6 : isIP(host) === 4 || /^[a-z0-9.-]+$/i.test(host));
  if (!match || !hostOk || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`TWOSTEP_MANAGEMENT_ADDRESS must be host:port (e.g. 127.0.0.1:9464, [::1]:9464) or off, not "${value.slice(0, 64)}"`);
  }
  return { host, port };
}

export function parseOperationsConfig(env: Env, options: { development: boolean; terminal: boolean }): OperationsConfig {
  const format = env.TWOSTEP_LOG_FORMAT ?? "";
  if (format !== "" && format !== "json" && format !== "pretty") throw new ConfigError(`TWOSTEP_LOG_FORMAT must be json or pretty, not "${format.slice(0, 32)}"`);
  return {
    management: parseManagementAddress(env.TWOSTEP_MANAGEMENT_ADDRESS),
    shutdownGraceSeconds: integer(env, "TWOSTEP_SHUTDOWN_GRACE_SECONDS", 10, 0, 3600),
    logFormat: format === "" ? (options.development && options.terminal ? "pretty" : "json") : format,
    trustRequestId: boolean(env, "TWOSTEP_TRUST_REQUEST_ID", false),
  };
}
