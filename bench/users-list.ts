/**
 * A1 at a million users: seeds ~1M users (one reseller of 200k, 800 accounts
 * of 1k), 70 % with an active TOTP method and a third with a session, on
 * SQLite and (with BENCH_POSTGRES_URL) on PostgreSQL, then times the real
 * `listAccountUsers` service and the coverage line on the big account, against
 * a baseline measured in the same run: the coverage counted by scanning the
 * account (how it was counted before migration 0014). Target (A1): p95 ≤ 50 ms.
 *
 *   npm run bench:users        (starts a throwaway PostgreSQL; BENCH_USERS=200000 for a smaller run)
 *
 * On PostgreSQL it then times the second step at that size (issue 16, item 5): 2,000 more users
 * seeded through the real store (bench/seed.ts: a TOTP method and a pending login flow each),
 * then `POST /api/login/second-factor` with a wrong code, one request at a time, alternating the
 * real app (the whole server, src/http/app.ts on src/bootstrap.ts's runtime) and the hand-written
 * PostgreSQL baseline (bench/baseline-postgres.ts) on the same database: p50 and p95 of each and
 * their ratio (the figures of `npm run bench`'s PostgreSQL row, at a million users).
 *
 * Seeding is set-based SQL in the database (a recursive CTE on SQLite,
 * generate_series on PostgreSQL): one statement per table and account group,
 * no row crosses from Node. Prints a table, writes bench/results/users-list.json.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import type { Account, User } from "../src/domain/model.js";
import { listAccountUsers } from "../src/services/admin/account-users.js";
import type { Actor } from "../src/services/access/access.js";
import type { ServiceDeps } from "../src/services/deps.js";
import { createKyselyStore } from "../src/store/kysely-store.js";
import { migrateToLatest } from "../src/store/migrate.js";
import { createPostgresDatabase } from "../src/store/postgres.js";
import type { Database } from "../src/store/schema.js";
import { createSqliteDatabase } from "../src/store/sqlite.js";
import { parseConfig } from "../src/config.js";
import { generateTotp } from "../src/domain/otp/totp.js";
import { createRuntime } from "../src/bootstrap.js";
import { buildApp } from "../src/http/app.js";
import { buildPostgresBaseline } from "./baseline-postgres.js";
import { seedDatabase } from "./seed.js";

const totalUsers = Number(process.env.BENCH_USERS ?? 1_000_000);
const bigUsers = Math.round(totalUsers / 5);
const smallAccounts = 800;
const perSmall = Math.floor((totalUsers - bigUsers) / smallAccounts);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);

type Dialect = "sqlite" | "postgres";

/** Rows 1..n of a number series, as the dialect writes it. */
const series = (dialect: Dialect, n: number) =>
  dialect === "sqlite" ? sql`with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ${sql.lit(n)})` : sql`with seq(i) as (select generate_series(1, ${sql.lit(n)}))`;
const pad = (dialect: Dialect) => (dialect === "sqlite" ? sql`printf('%07d', i)` : sql`lpad(i::text, 7, '0')`);

async function seed(db: Kysely<Database>, dialect: Dialect): Promise<number> {
  const started = performance.now();
  await db.insertInto("accounts").values({ id: "platform", kind: "platform", name: "Platform", parent_id: null, created_at: 0 }).execute();
  await db.insertInto("accounts").values({ id: "big", kind: "reseller", name: "Big reseller", parent_id: "platform", created_at: 0 }).execute();
  await sql`${series(dialect, smallAccounts)} insert into accounts (id, kind, name, parent_id, created_at) select 'a' || i, 'reseller', 'Reseller ' || i, 'platform', 0 from seq`.execute(db);
  // Users and methods one row at a time through the triggers of 0014 take minutes on PostgreSQL:
  // there they are switched off for the bulk insert, and the counts are then computed set-based,
  // as the migration does for existing rows. SQLite runs its triggers; measure() checks both.
  if (dialect === "postgres") for (const table of ["users", "methods"]) await sql`alter table ${sql.table(table)} disable trigger user`.execute(db);
  // The big account: user0000001@big.example … in email order, display names "User 1" ….
  await sql`${series(dialect, bigUsers)} insert into users (id, account_id, email, display_name, search_name, role, password_hash, active, created_at)
    select 'b' || i, 'big', 'user' || ${pad(dialect)} || '@big.example', 'User ' || i, 'user ' || i, 'member', 'x', 1, 0 from seq`.execute(db);
  const small = smallAccounts * perSmall;
  await sql`${series(dialect, small)} insert into users (id, account_id, email, display_name, search_name, role, password_hash, active, created_at)
    select 's' || i, 'a' || (1 + (i - 1) / ${sql.lit(perSmall)}), 'm' || i || '@small.example', 'Member ' || i, 'member ' || i, 'member', 'x', 1, 0 from seq`.execute(db);
  for (const [prefix, n] of [["b", bigUsers], ["s", small]] as const) {
    await sql`${series(dialect, n)} insert into methods (id, user_id, type, name, status, is_default, secret_ciphertext, created_at)
      select 'm${sql.raw(prefix)}' || i, '${sql.raw(prefix)}' || i, 'totp', 'Authenticator app', 'active', 1, 'v1.k.iv.tag.body', 0 from seq where i % 10 < 7`.execute(db);
    await sql`${series(dialect, n)} insert into sessions (id, token_hash, user_id, created_at, expires_at, authenticated_at, recovery_code_used)
      select 'x${sql.raw(prefix)}' || i, 'h${sql.raw(prefix)}' || i, '${sql.raw(prefix)}' || i, 1000 + i, 2000 + i, 1000 + i, 0 from seq where i % 3 = 0`.execute(db);
  }
  if (dialect === "postgres") {
    for (const table of ["users", "methods"]) await sql`alter table ${sql.table(table)} enable trigger user`.execute(db);
    await sql`update users set active_methods = (select count(*) from methods where methods.user_id = users.id and methods.status = 'active')`.execute(db);
    await sql`update account_user_counts set total = (select count(*) from users where users.account_id = account_user_counts.account_id),
      with_two_factor = (select count(*) from users where users.account_id = account_user_counts.account_id and users.active_methods > 0)`.execute(db);
  }
  // Fresh statistics, and on PostgreSQL a visibility map so counts can be index-only.
  await sql`${sql.raw(dialect === "sqlite" ? "analyze" : "vacuum analyze")}`.execute(db);
  return (performance.now() - started) / 1000;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(db: Kysely<Database>): Promise<Record<string, { p50: number; p95: number; rows: number }>> {
  const store = createKyselyStore(db);
  const deps = { store } as unknown as ServiceDeps;
  const account = (await store.accounts.findAccountById("big")) as Account;
  const admin: User = { id: "bench-admin", accountId: "big", email: "admin@big.example", displayName: "Admin", role: "admin", passwordHash: "x", active: true, createdAt: 0 };
  const actor: Actor = { user: admin, account, session: null, via: "session" };
  const context = { clientAddress: null, userAgent: "bench" };
  const deep = Buffer.from(`user${String(Math.round(bigUsers * 0.75)).padStart(7, "0")}@big.example`).toString("base64url");
  const cases: Record<string, () => Promise<number>> = {
    "first page (50)": async () => page(await listAccountUsers(deps, actor, {}, context)),
    "without 2FA": async () => page(await listAccountUsers(deps, actor, { withoutTwoFactor: true }, context)),
    "search email prefix": async () => page(await listAccountUsers(deps, actor, { search: "user01234" }, context)),
    "search matching everyone": async () => page(await listAccountUsers(deps, actor, { search: "user" }, context)),
    "search display name": async () => page(await listAccountUsers(deps, actor, { search: "user 1999" }, context)),
    "deep cursor page (75 %)": async () => page(await listAccountUsers(deps, actor, { cursor: deep }, context)),
    "coverage line only": async () => {
      const coverage = await store.accounts.countAccountUsers("big");
      return coverage.total;
    },
    "coverage by a scan (baseline)": async () => Number((await scan()).rows[0]!.total),
  };
  // The counts the triggers kept must be the counts a full scan gives (the way 0008 counted: the baseline).
  const scan = () =>
    sql<{ total: number; covered: number }>`select count(*) as total,
    count(case when exists (select 1 from methods where methods.user_id = users.id and methods.status = 'active') then 1 end) as covered
    from users where account_id = 'big'`.execute(db);
  const scanned = await scan();
  const kept = await store.accounts.countAccountUsers("big");
  if (Number(scanned.rows[0]!.total) !== kept.total || Number(scanned.rows[0]!.covered) !== kept.withTwoFactor) {
    throw new Error(`coverage ${JSON.stringify(kept)} differs from a scan ${JSON.stringify(scanned.rows[0])}`);
  }
  const results: Record<string, { p50: number; p95: number; rows: number }> = {};
  for (const [name, run] of Object.entries(cases)) {
    let rows = 0;
    for (let i = 0; i < 5; i++) rows = await run();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results[name] = { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), rows };
  }
  return results;
}

function page(result: Awaited<ReturnType<typeof listAccountUsers>>): number {
  if (!result.ok) throw new Error(`listAccountUsers: ${result.code}`);
  return result.users.length;
}
const round = (ms: number) => Math.round(ms * 100) / 100;

async function run(dialect: Dialect, db: Kysely<Database>, url?: string) {
  await migrateToLatest(db);
  process.stdout.write(`${dialect}: seeding ${bigUsers + smallAccounts * perSmall} users… `);
  const seedSeconds = await seed(db, dialect);
  process.stdout.write(`${seedSeconds.toFixed(1)} s\n`);
  const timings = await measure(db);
  if (url) Object.assign(timings, await measureSecondStep(db, url));
  await db.destroy();
  return { seedSeconds: Math.round(seedSeconds * 10) / 10, timings };
}

const secondStepUsers = 2_000;
const sharedKey = Buffer.from("bench shared totp key");

/** A six-digit code none of the shared key's codes near now is (every request a wrong code). */
function wrongCode(): string {
  const step = Math.floor(Date.now() / 30_000);
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => generateTotp(sharedKey, (step + offset) * 30_000)));
  let candidate = 314159;
  while (near.has(String(candidate).padStart(6, "0"))) candidate++;
  return String(candidate).padStart(6, "0");
}

/**
 * The wrong-code second step on the seeded PostgreSQL database: the real app and the baseline,
 * one request at a time, alternating, each answer checked (401 invalid_code).
 */
async function measureSecondStep(db: Kysely<Database>, url: string): Promise<Record<string, { p50: number; p95: number; rows: number }>> {
  // The baseline reads its configuration from the environment (as its server process does).
  Object.assign(process.env, {
    TWOSTEP_DATABASE_URL: url,
    TWOSTEP_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"),
    TWOSTEP_PUBLIC_URL: "https://twostep.bench.invalid",
    TWOSTEP_LOG_LEVEL: "silent",
    TWOSTEP_USER_FREE_FAILURES: "100",
    TWOSTEP_ADDRESS_FREE_FAILURES: "100000",
  });
  const config = parseConfig();
  process.stdout.write(`postgres: seeding ${secondStepUsers} users with a pending second step… `);
  const { logins } = await seedDatabase(config, db, { users: secondStepUsers, sharedKeyUsers: secondStepUsers, sharedKey });
  process.stdout.write("done\n");
  const runtime = await createRuntime(config);
  const twostep = await buildApp({ deps: runtime.deps, cookieSecret: runtime.cookieSecret, logger: false });
  const baseline = await buildPostgresBaseline();
  const times = { twostep: [] as number[], baseline: [] as number[] };
  try {
    let next = 0;
    const once = async (side: "twostep" | "baseline") => {
      const app = side === "twostep" ? twostep : baseline.app;
      const login = logins[next++ % logins.length]!;
      const started = performance.now();
      const answer = await app.inject({ method: "POST", url: "/api/login/second-factor", payload: { flowId: login.flowToken, code: wrongCode() } });
      const elapsed = performance.now() - started;
      if (answer.statusCode !== 401 || !answer.body.includes('"invalid_code"')) throw new Error(`${side}: ${answer.statusCode} ${answer.body}`);
      return elapsed;
    };
    // 2,000 flows, at most (5 + iterations) × 2 attempts: each user stays far below its 100 free failures.
    for (let i = 0; i < 5; i++) for (const side of ["baseline", "twostep"] as const) await once(side);
    for (let i = 0; i < iterations; i++) {
      const order = i % 2 === 0 ? (["baseline", "twostep"] as const) : (["twostep", "baseline"] as const);
      for (const side of order) times[side].push(await once(side));
    }
  } finally {
    await twostep.close();
    await baseline.app.close();
    await baseline.close();
    await runtime.close();
  }
  const summary = (sorted: number[]) => ({ p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), rows: 1 });
  return {
    "second step, wrong code": summary(times.twostep.sort((a, b) => a - b)),
    "second step, wrong code (hand-written baseline)": summary(times.baseline.sort((a, b) => a - b)),
  };
}

const folder = join(tmpdir(), `twostep-users-bench-${process.pid}`);
mkdirSync(folder, { recursive: true });
const output: Record<string, unknown> = { users: bigUsers + smallAccounts * perSmall, bigAccountUsers: bigUsers, iterations, at: new Date().toISOString() };
try {
  output.sqlite = await run("sqlite", createSqliteDatabase(join(folder, "bench.db")));
  const url = process.env.BENCH_POSTGRES_URL;
  if (url) output.postgres = await run("postgres", createPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 0 }), url);
  else console.log("postgres: BENCH_POSTGRES_URL is not set; skipped");
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const rows: Record<string, string>[] = [];
for (const dialect of ["sqlite", "postgres"] as const) {
  const result = output[dialect] as { timings: Record<string, { p50: number; p95: number; rows: number }> } | undefined;
  const baseline = result?.timings["coverage by a scan (baseline)"];
  const secondStepBaseline = result?.timings["second step, wrong code (hand-written baseline)"];
  for (const [name, timing] of Object.entries(result?.timings ?? {})) {
    const secondStep = name.startsWith("second step");
    const ratio = secondStep ? "" : baseline ? `${(baseline.p50 / Math.max(timing.p50, 0.001)).toFixed(1)}x` : "";
    const versus = name === "second step, wrong code" && secondStepBaseline ? `p50 ${(timing.p50 / secondStepBaseline.p50).toFixed(2)}x, p95 ${(timing.p95 / secondStepBaseline.p95).toFixed(2)}x` : "";
    rows.push({ database: dialect, case: name, "p50 ms": String(timing.p50), "p95 ms": String(timing.p95), rows: String(timing.rows), "faster than the scan (p50)": ratio, "vs hand-written (≤ 1.5x)": versus });
  }
}
console.table(rows);
mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
writeFileSync(join(import.meta.dirname, "results", "users-list.json"), `${JSON.stringify(output, null, 2)}\n`);
