/**
 * The hand-written PostgreSQL baseline the real second step on PostgreSQL is compared with
 * (bench/run.ts), run by bench/server.ts in its own child process (mode "baseline-postgres"):
 *
 *   POST /api/login/second-factor   the same durable work as a wrong-code second step,
 *                                   written by hand with raw `pg` on the same migrated database
 *
 * Same Fastify options, hooks, body schema and error bodies as src/http/app.ts
 * (bench/baseline-http.ts); the pool has the size, statement timeout and idle-in-transaction
 * timeout src/store/postgres.ts gives twostep's. One transaction per request, four statements,
 * each a round trip:
 *
 *   BEGIN
 *   one statement with CTEs: the flow by token hash (locked, FOR UPDATE, as twostep locks it),
 *     its user and its method; then, only if the flow is open, the method active and the code
 *     well-formed, the address counter's conditional upsert and, only if that one counted, the
 *     user counter's (the upserts of src/store/kysely/counters.ts): counted before the check
 *   — decrypt the key, findTotpStep (3 HMACs) in this process —
 *   the failure event (and the lock event when this failure locks), one INSERT
 *   COMMIT
 *
 * The check needs the key in this process, so the read and the event cannot be one statement,
 * and the transaction must span them: four is the least a transaction takes when its client
 * waits for each answer. Statements are named (prepared once per connection). Everything here
 * is plain SQL that twostep's store could send through Kysely's `sql` as well.
 *
 * Only for WRONG codes: a code that matches answers 422 `baseline_wrong_code_only`.
 */
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { parseConfig } from "../src/config.js";
import { findTotpStep } from "../src/domain/otp/totp.js";
import { lockSchedule, type ThrottlePolicy } from "../src/domain/throttle.js";
import { createSecretBox, decodeEncryptionKey } from "../src/security/secret-box.js";
import { hashToken } from "../src/security/tokens.js";
import { addSecondStepRoute, createBaselineApp, newEventId, type Outcome, type SecondStepInput } from "./baseline-http.js";

/** The counting upsert of src/store/kysely/counters.ts for one schedule, fed by `source` (a SELECT of key, first lock). */
function countingUpsert(policy: ThrottlePolicy, source: string): string {
  const rows = lockSchedule(policy);
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const next = "attempt_counters.failures + 1";
  const lockSeconds = `case ${rows.slice(0, -1).map((row) => `when ${next} = ${row.failures} then ${row.lockSeconds}`).join(" ")} else ${last.lockSeconds} end`;
  return `insert into attempt_counters (key, failures, locked_until, updated_at) ${source}
    on conflict (key) do update set failures = ${next},
      locked_until = case when ${next} >= ${first.failures} then $2::bigint + 1000 * (${lockSeconds}) else null end,
      updated_at = $2::bigint
    where attempt_counters.locked_until is null or attempt_counters.locked_until <= $2::bigint
    returning failures, locked_until`;
}

/** The lock of a first failure, when the schedule locks at once (null otherwise), as countAttempt passes it. */
const firstLock = (policy: ThrottlePolicy, now: number) => {
  const first = lockSchedule(policy)[0]!;
  return first.failures <= 1 ? now + first.lockSeconds * 1000 : null;
};

interface ReadAndCountRow {
  flow_id: string;
  user_id: string;
  state: string;
  expires_at: string;
  account_id: string;
  active: number;
  method_id: string | null;
  type: string | null;
  status: string | null;
  secret_ciphertext: string | null;
  last_used_step: string | null;
  address_counted: boolean;
  address_locked_until: string | null;
  user_counted: boolean;
  user_new_locked_until: string | null;
  user_locked_until: string | null;
}

/**
 * $1 token hash, $2 now, $3 address key (null: no address), $4 the address's first lock,
 * $5 the user's first lock, $6 whether the code is well-formed (a malformed one counts nothing),
 * $7 the method the request names (null: the flow's).
 * Data-modifying CTEs run once whatever reads them; `usr` reads `address`'s RETURNING, so the
 * user is counted only when the address was (twostep stops at a locked address the same way).
 * The *_locked_until subqueries read the statement's snapshot: the lock a refused upsert met.
 */
function readAndCountStatement(config: ReturnType<typeof parseConfig>): string {
  return `with f as (
      select lf.id as flow_id, lf.user_id, lf.state, lf.expires_at, u.account_id, u.active,
             m.id as method_id, m.type, m.status, m.secret_ciphertext, m.last_used_step
        from login_flows lf join users u on u.id = lf.user_id
        left join methods m on m.id = lf.method_id and m.user_id = lf.user_id
       where lf.token_hash = $1
         for update of lf
    ), open as (
      select user_id from f
       where state = 'second_factor' and expires_at > $2::bigint and active = 1
         and method_id is not null and status = 'active' and $6::boolean
         and ($7::text is null or method_id = $7::text)
    ), address as (
      ${countingUpsert(config.addressThrottle, "select $3::text, 1, $4::bigint, $2::bigint from open where $3::text is not null")}
    ), usr as (
      ${countingUpsert(config.userThrottle, "select 'user:' || open.user_id, 1, $5::bigint, $2::bigint from open where $3::text is null or exists (select 1 from address)")}
    )
    select f.*,
           exists (select 1 from address) as address_counted,
           (select c.locked_until from attempt_counters c where c.key = $3::text) as address_locked_until,
           exists (select 1 from usr) as user_counted,
           (select usr.locked_until from usr) as user_new_locked_until,
           (select c.locked_until from attempt_counters c where c.key = 'user:' || f.user_id) as user_locked_until
      from f`;
}

const insertEventColumns = "insert into events (id, account_id, actor_user_id, subject_user_id, type, detail, client_address, user_agent, created_at)";
/** The failure event alone, or with the lock event: $1 account, $2 user, $3 address, $4 agent, $5 time, $6 (and $7) ids. */
const insertFailure = `${insertEventColumns} values ($6, $1, null, $2, 'login.second_factor_failed', '{"factor":"totp"}', $3, $4, $5::bigint)`;
const insertFailureAndLock = `${insertFailure}, ($7, $1, null, $2, 'login.locked_out', '{}', $3, $4, $5::bigint)`;

export async function buildPostgresBaseline(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const config = parseConfig();
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) throw new Error("the PostgreSQL baseline runs on PostgreSQL only");
  const secretBox = createSecretBox(decodeEncryptionKey(config.encryptionKeyId, config.encryptionKey!));
  // As src/store/postgres.ts sets up twostep's pool.
  const timeout = config.databaseStatementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.databasePoolSize,
    statement_timeout: timeout,
    idle_in_transaction_session_timeout: Math.max(timeout * 2, 10_000),
    connectionTimeoutMillis: timeout,
    application_name: "twostep-baseline",
  });
  const readAndCount = { name: "baseline-read-and-count", text: readAndCountStatement(config) };

  const decide = async (client: pg.PoolClient, input: SecondStepInput, now: number): Promise<Outcome> => {
    const addressKey = input.address ? `address:${input.address}` : null;
    const wellFormed = /^\d{6}$/.test(input.code);
    const { rows } = await client.query<ReadAndCountRow>({
      ...readAndCount,
      values: [hashToken(input.token), now, addressKey, firstLock(config.addressThrottle, now), firstLock(config.userThrottle, now), wellFormed, input.methodId ?? null],
    });
    const row = rows[0];
    if (!row || row.state !== "second_factor" || Number(row.expires_at) <= now || !row.active) return { code: "login_expired" };
    if (row.method_id === null || row.status !== "active" || (input.methodId !== undefined && input.methodId !== row.method_id)) return { code: "invalid_request", field: "methodId" };
    if (row.type !== "totp") throw new Error("the baseline seeds TOTP methods only");
    if (!wellFormed) return { code: "invalid_code_format", field: "code" };
    const retryAfter = (lockedUntil: string | null) => ({ code: "locked_out" as const, retryAfterSeconds: Math.ceil(((lockedUntil === null ? now : Number(lockedUntil)) - now) / 1000) });
    if (addressKey && !row.address_counted) return retryAfter(row.address_locked_until);
    if (!row.user_counted) return retryAfter(row.user_locked_until);
    const key = secretBox.open(row.secret_ciphertext!, row.method_id);
    const step = findTotpStep(key, input.code, { nowInMilliseconds: now, windowSteps: config.totpWindowSteps, lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step) });
    key.fill(0);
    if (step !== null) return { code: "baseline_wrong_code_only" };
    const values = [row.account_id, row.user_id, input.address, input.userAgent, now, newEventId(now)];
    // This failure locks the user (SECURITY 12): both events in the one INSERT.
    if (row.user_new_locked_until !== null) await client.query({ name: "baseline-failure-and-lock", text: insertFailureAndLock, values: [...values, newEventId(now)] });
    else await client.query({ name: "baseline-failure", text: insertFailure, values });
    return { code: "invalid_code", field: "code" };
  };

  const secondStep = async (input: SecondStepInput): Promise<Outcome> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const outcome = await decide(client, input, Date.now());
      await client.query("COMMIT");
      client.release();
      return outcome;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };

  const app = createBaselineApp(config);
  addSecondStepRoute(app, secondStep);
  return { app, close: () => pool.end() };
}
