/** Reading one environment variable, typed, with a clear error naming it. Used by config.ts and config-messaging.ts. */
export type Env = Record<string, string | undefined>;

/** TWOSTEP_ENV: production unless said otherwise (README "Configuration"). */
export type Environment = "development" | "production" | "test";

/** Bad configuration: the start stops with this message, which names the variable. */
export class ConfigError extends Error {}

export function required(env: Env, name: string, what = "the chosen SMS gateway"): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required for ${what}`);
  return value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(`${name} must be true or false, not "${raw}"`);
}

/** An on/off switch: `on` or `off`, anything else stops the start naming the variable. */
export function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "on") return true;
  if (raw === "off") return false;
  throw new ConfigError(`${name} must be on or off, not "${raw}"`);
}
