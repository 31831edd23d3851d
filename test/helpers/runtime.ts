import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createOutboxEmailGateway } from "../../src/gateways/email/outbox.js";
import { createOutboxSmsGateway } from "../../src/gateways/sms/outbox.js";
import type { FastifyInstance } from "fastify";
import { parseConfig, type Config } from "../../src/config.js";
import { buildApp } from "../../src/http/app.js";
import { createHashLimiter, type HashLimiter } from "../../src/security/hash-limiter.js";
import { createPasswordHasher } from "../../src/security/passwords.js";
import { createRecoveryCodeHasher } from "../../src/security/recovery-code-hash.js";
import { createSecretBox, decodeEncryptionKey } from "../../src/security/secret-box.js";
import type { Logger, ServiceDeps } from "../../src/services/deps.js";
import type { AccountKind, Role, User } from "../../src/domain/model.js";
import { createAccount, createUser } from "../../src/services/access/users.js";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { connectSharedTestDatabase, openTestDatabase, type SharedTestDatabase, type TestDatabase } from "./database.js";
import type { PolicyLayer } from "../../src/domain/policy.js";
import { openPlaceFinder } from "../../src/gateways/places/places.js";

/** A clock tests move by hand: nothing sleeps. Starts at a fixed, realistic time. */
export class TestClock {
  constructor(public current = Date.UTC(2026, 10, 22, 12, 0, 0)) {}
  now = () => this.current;
  advance(seconds: number) {
    this.current += seconds * 1000;
  }
}

/** Log lines the services wrote, kept so tests can prove no secret was logged. */
export class CapturingLogger implements Logger {
  lines: string[] = [];
  info(object: object, message?: string) {
    this.lines.push(JSON.stringify({ ...object, message }));
  }
  warn(object: object, message?: string) {
    this.info(object, message);
  }
  error(object: object, message?: string) {
    this.info(object, message);
  }
}

export const testKeyBase64 = Buffer.alloc(32, 7).toString("base64");

export interface TestRuntime {
  deps: ServiceDeps;
  clock: TestClock;
  logger: CapturingLogger;
  config: Config;
  /** The database under the services (its kind, and on PostgreSQL its schema). */
  database: TestDatabase;
  /** The one argon2id limit the hashers share (TWOSTEP_PASSWORD_HASH_CONCURRENCY): a test can hold its places. */
  hashLimiter: HashLimiter;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  env?: Record<string, string>;
  /** A SQLite file (for tests that read the file itself); always SQLite. */
  databasePath?: string;
  /** A database several runtimes share (restarts, several instances); on the kind TWOSTEP_TEST_DATABASE picks. */
  shared?: SharedTestDatabase;
}

/**
 * Real services on a real database (see ./database.ts: SQLite in memory by default,
 * a fresh PostgreSQL schema with TWOSTEP_TEST_DATABASE=postgres; a `databasePath`
 * means a SQLite file, for tests that read the file itself), with a clock the
 * test controls and argon2 at its lowest cost so the suite stays fast.
 */
export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  // The lowest argon2id cost only where the server would accept it (TWOSTEP_ENV=test); a test
  // that runs the app as development or production hashes at the production cost.
  const environment = options.env?.TWOSTEP_ENV ?? "test";
  const config = parseConfig({
    TWOSTEP_ENV: "test",
    TWOSTEP_ENCRYPTION_KEY: testKeyBase64,
    ...(environment === "test" ? { TWOSTEP_ARGON2_MEMORY_KIB: "1024", TWOSTEP_ARGON2_ITERATIONS: "1" } : {}),
    TWOSTEP_PUBLIC_URL: "http://localhost:3000",
    ...options.env,
  });
  const database = options.shared
    ? await connectSharedTestDatabase(options.shared)
    : options.databasePath
      ? await openTestDatabase("sqlite", { sqlitePath: options.databasePath })
      : await openTestDatabase();
  const db = database.db;
  const clock = new TestClock();
  const logger = new CapturingLogger();
  const store = createKyselyStore(db);
  // As bootstrap.ts builds them: one argon2id limit (TWOSTEP_PASSWORD_HASH_CONCURRENCY) for passwords and recovery codes.
  const hashLimiter = createHashLimiter(config.passwordHashing);
  const deps: ServiceDeps = {
    store,
    config,
    clock,
    secretBox: createSecretBox(decodeEncryptionKey("test", testKeyBase64)),
    passwords: createPasswordHasher(config.argon2, hashLimiter),
    recoveryCodeHasher: createRecoveryCodeHasher(config.argon2, hashLimiter),
    randomBytes,
    newId: randomUUID,
    logger,
    codeMac: (input) => createHmac("sha256", "test code mac key").update(input).digest("base64url"),
    sms: createOutboxSmsGateway(store.outbox, () => clock.now()),
    email: createOutboxEmailGateway(store.outbox, () => clock.now(), randomUUID),
    places: await openPlaceFinder(config.geoipDatabase),
  };
  return { deps, clock, logger, config, database, hashLimiter, close: () => database.close() };
}

export interface TestApp extends TestRuntime {
  app: FastifyInstance;
  /** Everything Fastify logged, as JSON lines. */
  logLines: string[];
}

export async function createTestApp(options: TestRuntimeOptions = {}): Promise<TestApp> {
  const runtime = await createTestRuntime(options);
  const logLines: string[] = [];
  const stream = { write: (line: string) => void logLines.push(line) };
  const app = await buildApp({ deps: runtime.deps, cookieSecret: "test-cookie-secret-test-cookie-secret", logger: { level: "info", stream } });
  await app.ready();
  return {
    ...runtime,
    app,
    logLines,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

let accountCounter = 0;

/** A user in a fresh account of the given kind (customers get a reseller parent, resellers a platform parent). */
export async function seedUser(
  deps: ServiceDeps,
  input: { email?: string; password?: string; kind?: AccountKind; role?: Role; policy?: Partial<PolicyLayer> } = {},
): Promise<{ user: User; password: string }> {
  const kind = input.kind ?? "reseller";
  const n = ++accountCounter;
  const platform = await createAccount(deps, { name: `platform ${n}`, kind: "platform", parentId: null });
  const reseller = kind === "platform" ? null : await createAccount(deps, { name: `reseller ${n}`, kind: "reseller", parentId: platform.id });
  const account = kind === "customer" ? await createAccount(deps, { name: `customer ${n}`, kind: "customer", parentId: reseller!.id }) : (reseller ?? platform);
  if (input.policy) {
    await deps.store.accounts.savePolicyLayer(
      account.id,
      "own_users",
      { requireTwoFactorFrom: null, allowedMethods: null, recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null, ...input.policy },
      deps.clock.now(),
    );
  }
  const password = input.password ?? "correct horse battery";
  const result = await createUser(
    deps,
    { accountId: account.id, email: input.email ?? `user${n}-${randomBytes(3).toString("hex")}@example.test`, password, role: input.role ?? (kind === "platform" ? "support" : "member") },
    { clientAddress: null, userAgent: "test" },
  );
  if (!result.ok) throw new Error(`seedUser: ${result.code}`);
  return { user: result.user, password };
}
