import { boolean, ConfigError, integer, onOff, type Env, type Environment } from "./config-env.js";
import { parseEmailConfig, parseSmsConfig, type EmailConfig, type SmsConfig } from "./config-messaging.js";
import { parseOidcConfig, type OidcConfig } from "./config-oidc.js";
import { parsePublicUrl, parseTrustProxy, type TrustProxy } from "./config-network.js";

export { ConfigError };
export type { EmailConfig, SmsConfig, TrustProxy };

import { accessSync, constants, statSync } from "node:fs";
import { isLoopbackAddress } from "./security/loopback.js";

/**
 * Configuration, parsed once from the environment into a typed object.
 * Every option, its default and its meaning is listed in README.md
 * ("Configuration"); `test/config.test.ts` keeps the two in step.
 */
export interface Config {
  /**
   * TWOSTEP_ENV: development | production | test (default production, so a forgotten variable
   * never serves /dev/outbox). Development is asked for: TWOSTEP_ENV=development, or `--demo`
   * (`npm run quickstart`). Production refuses the development gateways and a missing key.
   */
  environment: Environment;
  /** TWOSTEP_HOST (default 127.0.0.1) and PORT / TWOSTEP_PORT (default 3000). Outside production it must be loopback unless allowRemoteDevelopment. */
  host: string;
  /**
   * TWOSTEP_ALLOW_REMOTE_DEVELOPMENT (default false): lets development and test listen on a
   * non-loopback TWOSTEP_HOST. /dev/outbox still answers loopback clients only.
   */
  allowRemoteDevelopment: boolean;
  port: number;
  /** TWOSTEP_PUBLIC_URL (default http://localhost:3000): cookies are Secure when it is https. */
  publicUrl: string;
  /** TWOSTEP_DATABASE_URL (default sqlite:./data/twostep.sqlite): sqlite:<path> or postgres://user:password@host:port/database. */
  databaseUrl: string;
  /**
   * TWOSTEP_DATABASE_POOL_SIZE (default 10, PostgreSQL only): connections per server process.
   * A request holds a connection for a few short statements while argon2 (the real cost) runs
   * without one, so 10 keeps a process busy; it also leaves room for several processes under
   * PostgreSQL's default max_connections of 100.
   */
  databasePoolSize: number;
  /**
   * TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS (default 5000, PostgreSQL only): every statement is a
   * key lookup or a one-row write that takes milliseconds, so one running 5 s is stuck on a lock or
   * a sick server; failing it frees the connection (the same 5 s SQLite waits for its write lock).
   * Also the longest wait for a free pool connection.
   */
  databaseStatementTimeoutMs: number;
  /**
   * TWOSTEP_DATABASE_NAMED_STATEMENTS (on|off, default on, PostgreSQL only): the hot statements go
   * as named (prepared) statements, parsed once per connection. Off behind a connection pooler in
   * transaction mode that does not keep prepared statements (PgBouncer before 1.21, or without
   * max_prepared_statements).
   */
  databaseNamedStatements: boolean;
  /** TWOSTEP_DATA_DIR (default ./data): where the dev key file lives. */
  dataDir: string;
  /** TWOSTEP_ENCRYPTION_KEY: base64 of 32 bytes; required in production. */
  encryptionKey: string | null;
  /** TWOSTEP_ENCRYPTION_KEY_ID (default k1): stored with each ciphertext, for rotation. */
  encryptionKeyId: string;
  /** TWOSTEP_PREVIOUS_ENCRYPTION_KEYS: "id:base64,id:base64", old keys still able to decrypt. */
  previousEncryptionKeys: { id: string; key: string }[];
  /** TWOSTEP_ISSUER (default twostep): the name authenticator apps show. */
  issuer: string;
  /** TWOSTEP_TOTP_WINDOW_STEPS (default 1): steps accepted each side of now. */
  totpWindowSteps: number;
  /** TWOSTEP_LOGIN_TTL_SECONDS (default 300): a pending second step dies after this. */
  loginTtlSeconds: number;
  /** TWOSTEP_ENROLMENT_TTL_SECONDS (default 600): an unconfirmed authenticator setup dies after this. */
  enrolmentTtlSeconds: number;
  /** TWOSTEP_SESSION_TTL_SECONDS (default 43200 = 12 h): absolute session lifetime. */
  sessionTtlSeconds: number;
  /**
   * TWOSTEP_STEP_UP_MINUTES (default 10): "sudo mode". With 2FA on, changing one's own
   * 2FA settings, or acting on another user's, needs a second factor passed this
   * recently (at login or on the "Confirm it's you" page), SECURITY 17, 29, 33.
   */
  stepUpMinutes: number;
  /** TWOSTEP_USER_FREE_FAILURES (5), TWOSTEP_USER_LOCK_BASE_SECONDS (60), TWOSTEP_USER_LOCK_MAX_SECONDS (3600). */
  userThrottle: { freeFailures: number; baseLockSeconds: number; maxLockSeconds: number };
  /** TWOSTEP_ADDRESS_FREE_FAILURES (30), TWOSTEP_ADDRESS_LOCK_BASE_SECONDS (60), TWOSTEP_ADDRESS_LOCK_MAX_SECONDS (3600). */
  addressThrottle: { freeFailures: number; baseLockSeconds: number; maxLockSeconds: number };
  /** TWOSTEP_ACCOUNT_PASSWORD_FREE_FAILURES (10), TWOSTEP_ACCOUNT_PASSWORD_DELAY_BASE_SECONDS (30), TWOSTEP_ACCOUNT_PASSWORD_DELAY_MAX_SECONDS (900). */
  accountPasswordThrottle: { freeFailures: number; baseLockSeconds: number; maxLockSeconds: number };
  /**
   * TWOSTEP_KNOWN_BROWSER_DAYS (180): how long a known browser (one that completed a login for a user)
   * skips that user's per-account password delay. Formerly TWOSTEP_REMEMBERED_BROWSER_DAYS, now refused
   * at start with a message naming the new variable (it was easy to mistake for the L7 trusted browser).
   */
  knownBrowserDays: number;
  /**
   * TWOSTEP_GEOIP_DB (default none): a MaxMind-format (.mmdb) city or country database. With it,
   * "Where you're signed in" and the new sign-in email show an approximate place; without it, the
   * address. A path that is not a readable file stops the start.
   */
  geoipDatabase: string | null;
  /**
   * PR1: TWOSTEP_PASSWORD_RESET_TTL_SECONDS (1800): a reset link dies after this;
   * TWOSTEP_PASSWORD_RESET_LIMIT_PER_ADDRESS (10) and _PER_ACCOUNT (3): reset emails asked for per hour.
   */
  passwordReset: { ttlSeconds: number; limitPerAddressPerHour: number; limitPerAccountPerHour: number };
  /** TWOSTEP_ARGON2_MEMORY_KIB (19456), TWOSTEP_ARGON2_ITERATIONS (2): OWASP's argon2id minimum. */
  argon2: { memoryKib: number; iterations: number; parallelism: number };
  /**
   * TWOSTEP_PASSWORD_HASH_CONCURRENCY (2, sized for 2 cores): argon2id hashes and verifies in flight at
   * once in this process, each holding TWOSTEP_ARGON2_MEMORY_KIB; the rest wait in a queue for at most
   * TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS (5000), then get a 503 (security/hash-limiter.ts).
   */
  passwordHashing: { concurrency: number; queueTimeoutMs: number };
  sms: SmsConfig;
  email: EmailConfig;
  /**
   * TWOSTEP_TRUST_PROXY (default false): how many proxies in front of twostep append to
   * X-Forwarded-For (a number), or their addresses (a list of IPs/CIDRs). Fastify then
   * takes the client address from the right of the header, past those hops only.
   */
  trustProxy: TrustProxy;
  /** TWOSTEP_LOG_LEVEL (default info). */
  logLevel: string;
  /**
   * TWOSTEP_API_DOCS (on | off; default off in production, on elsewhere): whether /api/docs and
   * /api/openapi.json are served. They map every route for anyone, so production opts in.
   */
  apiDocs: boolean;
  /** Issue 15: the OpenID Connect provider's lifetimes (src/config-oidc.ts). */
  oidc: OidcConfig;
}

/** OWASP's argon2id minimum, the default, and the least a server outside the tests accepts. */
export const argon2Minimum = { memoryKib: 19456, iterations: 2 } as const;

/** How the server was started: `--demo` (the quick start) asks for development and its demo logins. */
export interface StartOptions {
  demo?: boolean;
}

export function parseConfig(env: Env = process.env, options: StartOptions = {}): Config {
  if (options.demo && env.TWOSTEP_ENV === "production") {
    throw new ConfigError("--demo loads demo users with published passwords and cannot run with TWOSTEP_ENV=production; drop --demo or set TWOSTEP_ENV=development");
  }
  const environment = env.TWOSTEP_ENV ?? (options.demo ? "development" : "production");
  if (environment !== "development" && environment !== "production" && environment !== "test") {
    throw new ConfigError(`TWOSTEP_ENV must be development, production or test, not "${environment}"`);
  }
  const port = integer(env, "TWOSTEP_PORT", integer(env, "PORT", 3000, 0, 65535), 0, 65535);
  const previous = (env.TWOSTEP_PREVIOUS_ENCRYPTION_KEYS ?? "")
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const [id, key] = entry.split(":");
      if (!id || !key) throw new ConfigError('TWOSTEP_PREVIOUS_ENCRYPTION_KEYS must look like "id:base64key,id:base64key"');
      return { id, key };
    });
  // Renamed in issue 19: refused, not read, so a deployment learns of the new name at start
  // instead of silently running on the default.
  if (env.TWOSTEP_REMEMBERED_BROWSER_DAYS !== undefined) {
    throw new ConfigError("TWOSTEP_REMEMBERED_BROWSER_DAYS is now TWOSTEP_KNOWN_BROWSER_DAYS (same meaning and range); rename it");
  }
  const config: Config = {
    environment,
    host: env.TWOSTEP_HOST ?? "127.0.0.1",
    allowRemoteDevelopment: boolean(env, "TWOSTEP_ALLOW_REMOTE_DEVELOPMENT", false),
    port,
    publicUrl: parsePublicUrl(env.TWOSTEP_PUBLIC_URL, port),
    databaseUrl: env.TWOSTEP_DATABASE_URL ?? "sqlite:./data/twostep.sqlite",
    databasePoolSize: integer(env, "TWOSTEP_DATABASE_POOL_SIZE", 10, 1, 1000),
    databaseStatementTimeoutMs: integer(env, "TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS", 5000, 100, 600_000),
    databaseNamedStatements: onOff(env, "TWOSTEP_DATABASE_NAMED_STATEMENTS", true),
    dataDir: env.TWOSTEP_DATA_DIR ?? "./data",
    encryptionKey: env.TWOSTEP_ENCRYPTION_KEY || null,
    encryptionKeyId: env.TWOSTEP_ENCRYPTION_KEY_ID ?? "k1",
    previousEncryptionKeys: previous,
    issuer: env.TWOSTEP_ISSUER ?? "twostep",
    totpWindowSteps: integer(env, "TWOSTEP_TOTP_WINDOW_STEPS", 1, 0, 10),
    loginTtlSeconds: integer(env, "TWOSTEP_LOGIN_TTL_SECONDS", 300, 30, 3600),
    enrolmentTtlSeconds: integer(env, "TWOSTEP_ENROLMENT_TTL_SECONDS", 600, 60, 86400),
    sessionTtlSeconds: integer(env, "TWOSTEP_SESSION_TTL_SECONDS", 43200, 60, 2_592_000),
    stepUpMinutes: integer(env, "TWOSTEP_STEP_UP_MINUTES", 10, 1, 1440),
    userThrottle: {
      freeFailures: integer(env, "TWOSTEP_USER_FREE_FAILURES", 5, 1, 100),
      baseLockSeconds: integer(env, "TWOSTEP_USER_LOCK_BASE_SECONDS", 60, 1, 86400),
      maxLockSeconds: integer(env, "TWOSTEP_USER_LOCK_MAX_SECONDS", 3600, 1, 604800),
    },
    addressThrottle: {
      freeFailures: integer(env, "TWOSTEP_ADDRESS_FREE_FAILURES", 30, 1, 100000),
      baseLockSeconds: integer(env, "TWOSTEP_ADDRESS_LOCK_BASE_SECONDS", 60, 1, 86400),
      maxLockSeconds: integer(env, "TWOSTEP_ADDRESS_LOCK_MAX_SECONDS", 3600, 1, 604800),
    },
    accountPasswordThrottle: {
      freeFailures: integer(env, "TWOSTEP_ACCOUNT_PASSWORD_FREE_FAILURES", 10, 1, 1000),
      baseLockSeconds: integer(env, "TWOSTEP_ACCOUNT_PASSWORD_DELAY_BASE_SECONDS", 30, 1, 86400),
      maxLockSeconds: integer(env, "TWOSTEP_ACCOUNT_PASSWORD_DELAY_MAX_SECONDS", 900, 1, 86400),
    },
    knownBrowserDays: integer(env, "TWOSTEP_KNOWN_BROWSER_DAYS", 180, 1, 3650),
    geoipDatabase: geoipDatabase(env),
    passwordReset: {
      ttlSeconds: integer(env, "TWOSTEP_PASSWORD_RESET_TTL_SECONDS", 1800, 300, 86400),
      limitPerAddressPerHour: integer(env, "TWOSTEP_PASSWORD_RESET_LIMIT_PER_ADDRESS", 10, 1, 100000),
      limitPerAccountPerHour: integer(env, "TWOSTEP_PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3, 1, 1000),
    },
    argon2: {
      memoryKib: integer(env, "TWOSTEP_ARGON2_MEMORY_KIB", argon2Minimum.memoryKib, 1024, 4_194_304),
      iterations: integer(env, "TWOSTEP_ARGON2_ITERATIONS", argon2Minimum.iterations, 1, 100),
      parallelism: 1,
    },
    passwordHashing: {
      concurrency: integer(env, "TWOSTEP_PASSWORD_HASH_CONCURRENCY", 2, 1, 64),
      queueTimeoutMs: integer(env, "TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS", 5000, 100, 60_000),
    },
    sms: parseSmsConfig(env, environment),
    email: parseEmailConfig(env, environment),
    trustProxy: parseTrustProxy(env.TWOSTEP_TRUST_PROXY),
    logLevel: env.TWOSTEP_LOG_LEVEL ?? "info",
    apiDocs: onOff(env, "TWOSTEP_API_DOCS", environment !== "production"),
    oidc: parseOidcConfig(env),
  };
  // Development shows every SMS code on /dev/outbox and runs on a generated key: for the
  // person at the machine only, unless they say otherwise in so many words.
  if (config.environment !== "production" && !isLoopbackAddress(config.host) && !config.allowRemoteDevelopment) {
    throw new ConfigError(
      `TWOSTEP_HOST=${config.host} is not a loopback address, and TWOSTEP_ENV=${config.environment} is for this machine only; listen on 127.0.0.1, set TWOSTEP_ENV=production, or set TWOSTEP_ALLOW_REMOTE_DEVELOPMENT=true to serve development to the network (/dev/outbox still answers loopback clients only)`,
    );
  }
  // The suite hashes thousands of passwords and may use argon2id's lowest cost; a server people
  // log in to never does (OWASP's minimum: 19 MiB, 2 passes; test/security/argon2-cost-pinned…).
  if (config.environment !== "test" && (config.argon2.memoryKib < argon2Minimum.memoryKib || config.argon2.iterations < argon2Minimum.iterations)) {
    throw new ConfigError(
      `TWOSTEP_ARGON2_MEMORY_KIB=${config.argon2.memoryKib} and TWOSTEP_ARGON2_ITERATIONS=${config.argon2.iterations} are below argon2id's minimum cost (${argon2Minimum.memoryKib} KiB, ${argon2Minimum.iterations} passes); a lower cost is allowed with TWOSTEP_ENV=test only`,
    );
  }
  if (config.environment === "production" && !config.encryptionKey) {
    throw new ConfigError(
      `TWOSTEP_ENCRYPTION_KEY is required in production (base64 of 32 random bytes: \`openssl rand -base64 32\`)${env.TWOSTEP_ENV === undefined ? "; TWOSTEP_ENV is unset, so this is production: to try twostep on this machine run npm run quickstart or set TWOSTEP_ENV=development" : ""}`,
    );
  }
  return config;
}

function geoipDatabase(env: Env): string | null {
  const path = env.TWOSTEP_GEOIP_DB;
  if (path === undefined || path === "") return null;
  if (!isReadableFile(path)) throw new ConfigError(`TWOSTEP_GEOIP_DB must be a readable MaxMind-format (.mmdb) file; "${path.slice(0, 256)}" is not`);
  return path;
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
