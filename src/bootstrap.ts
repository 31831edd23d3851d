import { redactedLogPaths } from "./services/log-redaction.js";
import { createHmac, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import { createEmailGateway } from "./gateways/email/create.js";
import { createSmsGateway } from "./gateways/sms/create.js";
import pino from "pino";
import type { Config } from "./config.js";
import { loadOrCreateDevelopmentKey } from "./security/dev-key.js";
import { createHashLimiter } from "./security/hash-limiter.js";
import { createPasswordHasher } from "./security/passwords.js";
import { createRecoveryCodeHasher } from "./security/recovery-code-hash.js";
import { createSecretBox, decodeEncryptionKey } from "./security/secret-box.js";
import type { BackchannelSender, Clock, EmailGateway, Logger, ServiceDeps, SmsGateway } from "./services/deps.js";
import { providerBackchannelSender } from "./services/messages/message-dispatcher.js";
import type { Kysely } from "kysely";
import type { Database } from "./store/schema.js";
import type { StoreObserver } from "./store/observer.js";
import type { QueryTimer } from "./store/timed-dialect.js";
import { systemClock } from "./services/deps.js";
import { createKyselyStore } from "./store/kysely-store.js";
import { openMigratedDatabase } from "./store/open-database.js";
import { openPlaceFinder } from "./gateways/places/places.js";

/** `twostep migrate`: the database of the configuration, migrated, then closed; the names of the migrations applied. */
export async function migrateDatabase(config: Config): Promise<string[]> {
  const { db, applied } = await openMigratedDatabase(config);
  await db.destroy();
  return applied;
}

/**
 * Builds the services' dependencies from the configuration: the one place that
 * knows which store, keys and hashers are real. Migrates the database first.
 */
export interface Runtime {
  deps: ServiceDeps;
  /** Signs cookies (the CSRF secret); derived from the encryption key, so there is one secret to keep. */
  cookieSecret: string;
  /** The database itself, for the management listener's readiness and outbox reads (src/store/health.ts). */
  db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * What operations (src/operations/) plug into or around the real parts to count them: the store's
 * observer (store/observer.ts: the store tells it what it answered), wrappers for the two gateways
 * and the back-channel sender, and every statement's duration (store/timed-dialect.ts). Absent:
 * nothing is observed, wrapped or timed.
 */
export interface RuntimeInstruments {
  store: StoreObserver;
  sms(gateway: SmsGateway): SmsGateway;
  email(gateway: EmailGateway): EmailGateway;
  backchannel(sender: BackchannelSender): BackchannelSender;
  queryTimer: QueryTimer;
}

export function createLogger(config: Config): pino.Logger {
  return pino({ level: config.environment === "test" ? "silent" : config.logLevel, redact: { paths: redactedLogPaths, censor: "[redacted]" } });
}

export async function createRuntime(config: Config, overrides: { clock?: Clock; logger?: Logger; instruments?: RuntimeInstruments } = {}): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config);
  const instruments = overrides.instruments;
  const { db } = await openMigratedDatabase({ ...config, ...(instruments ? { queryTimer: instruments.queryTimer } : {}) }, (error) => logger.warn({ err: error.message }, "an idle database connection failed; the pool reconnects"));
  const keyBase64 = config.encryptionKey ?? loadOrCreateDevelopmentKey(config.dataDir, (message) => logger.warn({}, message));
  const secretBox = createSecretBox(
    decodeEncryptionKey(config.encryptionKeyId, keyBase64),
    config.previousEncryptionKeys.map((entry) => decodeEncryptionKey(entry.id, entry.key)),
  );
  const store = createKyselyStore(db, instruments?.store);
  const clock = overrides.clock ?? systemClock;
  const rawKey = Buffer.from(keyBase64, "base64");
  // One limit for every argon2id computation of this process: passwords and recovery codes.
  const hashLimiter = createHashLimiter(config.passwordHashing);
  const codeMacKey = Buffer.from(hkdfSync("sha256", rawKey, Buffer.alloc(0), "twostep code mac", 32));
  const deps: ServiceDeps = {
    store,
    config,
    clock,
    secretBox,
    passwords: createPasswordHasher(config.argon2, hashLimiter),
    recoveryCodeHasher: createRecoveryCodeHasher(config.argon2, hashLimiter),
    randomBytes,
    newId: randomUUID,
    logger,
    codeMac: (input) => createHmac("sha256", codeMacKey).update(input).digest("base64url"),
    sms: observed(instruments?.sms, createSmsGateway(config.sms, store.outbox, () => clock.now())),
    email: observed(instruments?.email, createEmailGateway(config.email, store.outbox, () => clock.now(), randomUUID)),
    places: await openPlaceFinder(config.geoipDatabase),
  };
  // Back-channel logouts through the provider's own sender (made at the first send), counted when the metrics run.
  if (instruments) deps.backchannel = instruments.backchannel({ send: (logout) => providerBackchannelSender(deps).send(logout) });
  const cookieSecret = Buffer.from(hkdfSync("sha256", rawKey, Buffer.alloc(0), "twostep cookie signing", 32)).toString("base64");
  return {
    deps,
    cookieSecret,
    db,
    close: async () => {
      deps.email.close?.();
      await db.destroy();
    },
  };
}

function observed<G>(wrap: ((gateway: G) => G) | undefined, gateway: G): G {
  return wrap ? wrap(gateway) : gateway;
}
