/**
 * The hand-written baseline the real second step is compared with (bench/run.ts), run
 * by bench/server.ts in its own child process (mode "baseline"):
 *
 *   POST /api/login/second-factor   the same durable work as a wrong-code second step,
 *                                   written by hand with raw better-sqlite3 statements
 *   POST /argon2-only               one argon2id verify at the production parameters,
 *                                   nothing else: the floor of a password login (at most
 *                                   TWOSTEP_PASSWORD_HASH_CONCURRENCY verifies in flight, as
 *                                   in the real server)
 *
 * Same Fastify options, the same security-headers hook and no-store hook, the same
 * body schema and error bodies as src/http/app.ts. Same database file (migrated by
 * src/store/migrate.ts, opened with the pragmas src/store/sqlite.ts sets, checked at
 * start), same secret box, same TOTP code, same conditional counter upserts counted
 * before the code is checked, one BEGIN IMMEDIATE transaction per request.
 *
 * Only for WRONG codes: a code that matches a step in the window is answered 422
 * `baseline_wrong_code_only` (no claim, no session), so the bench counts it as an
 * unexpected response instead of letting a shortcut pass as a login.
 */
import SQLite from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { parseConfig } from "../src/config.js";
import { findTotpStep } from "../src/domain/otp/totp.js";
import { lockSchedule, type ThrottlePolicy } from "../src/domain/throttle.js";
import { LoginBody } from "../src/http/api/schemas.js";
import { sendApiError } from "../src/http/plugins/errors.js";
import { createHashLimiter } from "../src/security/hash-limiter.js";
import { createPasswordHasher } from "../src/security/passwords.js";
import { createSecretBox, decodeEncryptionKey } from "../src/security/secret-box.js";
import { hashToken } from "../src/security/tokens.js";
import { migrateToLatest } from "../src/store/migrate.js";
import { createSqliteDatabase } from "../src/store/sqlite.js";
import { addSecondStepRoute, createBaselineApp, newEventId, type Outcome, type SecondStepInput } from "./baseline-http.js";
import { benchPassword } from "./seed.js";

const checkedPragmas = ["journal_mode", "synchronous", "busy_timeout", "foreign_keys", "secure_delete"] as const;

/** Opens the file as the real server does, reads its settings, and opens a raw connection with the same ones. */
async function openLikeTheRealStore(path: string): Promise<SQLite.Database> {
  const kysely = createSqliteDatabase(path);
  await migrateToLatest(kysely);
  const expected: Record<string, unknown> = {};
  for (const name of checkedPragmas) expected[name] = Object.values((await sql.raw(`PRAGMA ${name}`).execute(kysely)).rows[0] as object)[0];
  await kysely.destroy();
  const db = new SQLite(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("secure_delete = ON");
  for (const name of checkedPragmas) {
    const actual = db.pragma(name, { simple: true });
    if (String(actual) !== String(expected[name])) throw new Error(`baseline PRAGMA ${name} = ${String(actual)}, the real store has ${String(expected[name])}`);
  }
  return db;
}

/** The same conditional upsert as src/store/kysely/counters.ts countAttempt, for one lock schedule (its numbers are bound). */
function prepareCountAttempt(db: SQLite.Database, policy: ThrottlePolicy) {
  const rows = lockSchedule(policy);
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const next = "attempt_counters.failures + 1";
  const lockSeconds = `case ${rows.slice(0, -1).map((row) => `when ${next} = ${row.failures} then ${row.lockSeconds}`).join(" ")} else ${last.lockSeconds} end`;
  const upsert = db.prepare<[string, number | null, number, number, number, number], { failures: number; locked_until: number | null }>(
    `insert into attempt_counters (key, failures, locked_until, updated_at) values (?, 1, ?, ?)
     on conflict (key) do update set failures = ${next},
       locked_until = case when ${next} >= ${first.failures} then ? + 1000 * (${lockSeconds}) else null end,
       updated_at = ?
     where attempt_counters.locked_until is null or attempt_counters.locked_until <= ?
     returning failures, locked_until`,
  );
  const lockedUntil = db.prepare<[string], { locked_until: number }>("select locked_until from attempt_counters where key = ?");
  return (key: string, now: number): { allowed: true; lockedUntil: number | null } | { allowed: false; lockedUntil: number } => {
    const firstLock = first.failures <= 1 ? now + first.lockSeconds * 1000 : null;
    const row = upsert.get(key, firstLock, now, now, now, now);
    if (row) return { allowed: true, lockedUntil: row.locked_until };
    return { allowed: false, lockedUntil: lockedUntil.get(key)!.locked_until };
  };
}

export async function buildBaseline(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const config = parseConfig();
  if (!config.databaseUrl.startsWith("sqlite:")) throw new Error("the baseline runs on SQLite only");
  const db = await openLikeTheRealStore(config.databaseUrl.slice("sqlite:".length));
  const secretBox = createSecretBox(decodeEncryptionKey(config.encryptionKeyId, config.encryptionKey!));
  // The same limit on argon2id computations in flight as the real server (TWOSTEP_PASSWORD_HASH_CONCURRENCY, bootstrap.ts):
  // without it the bound ran up to libuv's 4 threads at once against twostep's 2, so the full login was compared with
  // a route that kept both cores busy while twostep's waiting hash started only when the event loop had handed it on.
  const passwords = createPasswordHasher(config.argon2, createHashLimiter(config.passwordHashing));
  const argon2Hash = await passwords.hash(benchPassword);

  // One joined SELECT: the flow by token hash, its user, and its current method (the user's own).
  const findFlow = db.prepare<[string], { flow_id: string; user_id: string; state: string; expires_at: number; account_id: string; active: number; method_id: string | null; type: string | null; status: string | null; secret_ciphertext: string | null; last_used_step: number | null }>(
    `select f.id as flow_id, f.user_id, f.state, f.expires_at, u.account_id, u.active,
            m.id as method_id, m.type, m.status, m.secret_ciphertext, m.last_used_step
       from login_flows f join users u on u.id = f.user_id
       left join methods m on m.id = f.method_id and m.user_id = f.user_id
      where f.token_hash = ?`,
  );
  const countAddress = prepareCountAttempt(db, config.addressThrottle);
  const countUser = prepareCountAttempt(db, config.userThrottle);
  const insertEvent = db.prepare(
    `insert into events (id, account_id, actor_user_id, subject_user_id, type, detail, client_address, user_agent, created_at)
     values (?, ?, null, ?, ?, ?, ?, ?, ?)`,
  );

  const secondStep = db.transaction((input: SecondStepInput): Outcome => {
    const now = Date.now();
    const row = findFlow.get(hashToken(input.token));
    if (!row || row.state !== "second_factor" || row.expires_at <= now || !row.active) return { code: "login_expired" };
    if (row.method_id === null || row.status !== "active" || (input.methodId !== undefined && input.methodId !== row.method_id)) return { code: "invalid_request", field: "methodId" };
    if (row.type !== "totp") throw new Error("the baseline seeds TOTP methods only");
    if (!/^\d{6}$/.test(input.code)) return { code: "invalid_code_format", field: "code" };
    // Counted before the code is checked (AuthQuake): address first, then the user.
    if (input.address) {
      const byAddress = countAddress(`address:${input.address}`, now);
      if (!byAddress.allowed) return { code: "locked_out", retryAfterSeconds: Math.ceil((byAddress.lockedUntil - now) / 1000) };
    }
    const byUser = countUser(`user:${row.user_id}`, now);
    if (!byUser.allowed) return { code: "locked_out", retryAfterSeconds: Math.ceil((byUser.lockedUntil - now) / 1000) };
    const key = secretBox.open(row.secret_ciphertext!, row.method_id);
    const step = findTotpStep(key, input.code, { nowInMilliseconds: now, windowSteps: config.totpWindowSteps, lastUsedStep: row.last_used_step });
    key.fill(0);
    if (step !== null) return { code: "baseline_wrong_code_only" };
    const event = (type: string, detail: object) => insertEvent.run(newEventId(now), row.account_id, row.user_id, type, JSON.stringify(detail), input.address, input.userAgent, now);
    event("login.second_factor_failed", { factor: "totp" });
    if (byUser.lockedUntil !== null) event("login.locked_out", {});
    return { code: "invalid_code", field: "code" };
  });

  const app = createBaselineApp(config);
  addSecondStepRoute(app, (input) => secondStep.immediate(input));

  // The floor of step 1: the argon2id verify alone (the real login adds the user lookup, the flow insert and the counters).
  app.post("/argon2-only", { schema: { body: LoginBody } }, async (request, reply) => {
    const body = request.body as { email: string; password: string };
    if (!(await passwords.verify(argon2Hash, body.password))) return sendApiError(reply, "invalid_credentials");
    return { status: "verified" };
  });

  return { app, close: async () => void db.close() };
}
