/**
 * The PostgreSQL part of bench/run.ts: seeds the database (Kysely's PostgresDialect, the real
 * migrations), starts the real server and the hand-written baseline (bench/baseline-postgres.ts)
 * on it, checks that both leave the same rows behind for the same wrong codes, then runs their
 * wrong-code second steps in pairs (bench/pairs.ts), counting the statements each sends.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { parseConfig } from "../src/config.js";
import { hashToken } from "../src/security/tokens.js";
import type { Database } from "../src/store/schema.js";
import { postJson } from "./closed-loop.js";
import { phase, type LoadResult } from "./measure.js";
import { runPairs, type PairedPhases } from "./pairs.js";
import { seedDatabase, type SeededLogin } from "./seed.js";
import { startServer, type prepareServerScript, type ServerChild } from "./servers.js";

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * CPU time (µs) of the throwaway cluster `npm run bench` started (scripts/postgres-test-cluster.sh
 * exports PG_TEST_CLUSTER_DIR): the postmaster, its live children (the backends) and the
 * children it has reaped, from /proc (Linux, clock ticks of 10 ms). Null for any other server.
 */
export function postgresClusterCpuMicros(url: string): number | null {
  const dir = process.env.PG_TEST_CLUSTER_DIR;
  if (!dir || url !== process.env.TWOSTEP_TEST_POSTGRES_URL) return null;
  try {
    const postmaster = Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    // Fields after the command's closing parenthesis: state is 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const stat = (pid: string) => {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      return text.slice(text.lastIndexOf(")") + 2).split(" ").map(Number);
    };
    let ticks = 0;
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let fields: number[];
      try {
        fields = stat(pid);
      } catch {
        continue; // gone meanwhile
      }
      if (Number(pid) === postmaster) ticks += fields[11]! + fields[12]! + fields[13]! + fields[14]!;
      else if (fields[1] === postmaster) ticks += fields[11]! + fields[12]!;
    }
    return ticks * 10_000;
  } catch {
    return null;
  }
}

export interface PostgresResults {
  pairs: PairedPhases | null;
  /** What the durable-work check compared, in one line (both sides equal), or why the run stopped. */
  check: string | null;
  notRun: string | null;
  startupRss: { twostep?: number; baseline?: number };
}

export interface PostgresRun {
  url: string | null;
  sqliteEnv: NodeJS.ProcessEnv;
  script: ReturnType<typeof prepareServerScript>;
  timing: { warmup: number; duration: number; connections: number };
  wrongPoolSize: number;
  sharedKey: Buffer;
  userFreeFailures: number;
  wrongCode: () => string;
  wrongCodeRun: (server: ServerChild, logins: SeededLogin[]) => (seconds: number) => Promise<LoadResult>;
}

export async function runPostgres(run: PostgresRun): Promise<PostgresResults> {
  const results: PostgresResults = { pairs: null, check: null, notRun: null, startupRss: {} };
  const url = run.url;
  if (!url) return { ...results, notRun: "BENCH_POSTGRES_URL is not set" };
  // Both servers count the statements they send (bench/server.ts).
  // TWOSTEP_DATABASE_NAMED_STATEMENTS passes through (off: twostep's statements go unnamed, to measure what naming them gives).
  const named = process.env.TWOSTEP_DATABASE_NAMED_STATEMENTS;
  const env = { ...run.sqliteEnv, TWOSTEP_DATABASE_URL: url, BENCH_COUNT_QUERIES: "1", ...(named ? { TWOSTEP_DATABASE_NAMED_STATEMENTS: named } : {}) };
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const servers: ServerChild[] = [];
  try {
    // A fresh schema each run: the bench owns this database.
    await pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    // Two users beyond the wrong-code pool, one for each side of the durable-work check.
    const users = run.wrongPoolSize + 2;
    log(`seeding PostgreSQL with ${users} users`);
    const { logins } = await seedDatabase(parseConfig(env), db, { users, sharedKeyUsers: users, sharedKey: run.sharedKey });
    let twostep: ServerChild;
    try {
      twostep = await startServer(run.script, "twostep", env);
    } catch (error) {
      return { ...results, notRun: `the real server did not start on PostgreSQL: ${error instanceof Error ? error.message : String(error)}` };
    }
    servers.push(twostep);
    const baseline = await startServer(run.script, "baseline-postgres", env);
    servers.push(baseline);
    results.startupRss = { twostep: twostep.startupRss, baseline: baseline.startupRss };

    const attempts = run.userFreeFailures + 2;
    const sides = { twostep: await wrongCodesLeave(pool, twostep, logins[run.wrongPoolSize]!, attempts, run.wrongCode), baseline: await wrongCodesLeave(pool, baseline, logins[run.wrongPoolSize + 1]!, attempts, run.wrongCode) };
    if (JSON.stringify(sides.twostep) !== JSON.stringify(sides.baseline)) {
      throw new Error(`the baseline does not do twostep's durable work: after ${attempts} wrong codes twostep left ${JSON.stringify(sides.twostep)}, the baseline ${JSON.stringify(sides.baseline)}`);
    }
    results.check = `${attempts} wrong codes to each side left the same rows: ${JSON.stringify(sides.twostep)}`;
    log(`durable work checked: ${results.check}`);

    const resetCounters = () => pool.query("DELETE FROM attempt_counters");
    await resetCounters();
    const measure = (server: ServerChild, label: string) => (pair: number) => phase(run.timing, server, `${label} (pair ${pair + 1})`, run.wrongCodeRun(server, logins), resetCounters, () => postgresClusterCpuMicros(url));
    results.pairs = await runPairs(measure(baseline, "baseline second step (hand-written), wrong code, PostgreSQL"), measure(twostep, "second factor, wrong code, PostgreSQL"));
  } catch (error) {
    results.notRun = `PostgreSQL run failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    for (const server of servers) await server.stop();
    await db.destroy();
  }
  return results;
}

/**
 * Sends `attempts` wrong codes for one seeded user's flow, one after another, and returns what
 * they left: the answers, the user's counter, how far the address counter moved, and the user's
 * events (type, detail, actor, address, agent) in the order written, each run-length counted.
 */
async function wrongCodesLeave(pool: pg.Pool, server: ServerChild, login: SeededLogin, attempts: number, wrongCode: () => string) {
  const userId = (await pool.query<{ user_id: string }>("select user_id from login_flows where token_hash = $1", [hashToken(login.flowToken)])).rows[0]!.user_id;
  const addressFailures = async () => Number((await pool.query<{ sum: string | null }>("select sum(failures) from attempt_counters where key like 'address:%'")).rows[0]!.sum ?? 0);
  const addressBefore = await addressFailures();
  const answers: string[] = [];
  for (let i = 0; i < attempts; i++) {
    const answer = await postJson(server.port, "/api/login/second-factor", { flowId: login.flowToken, code: wrongCode() });
    answers.push(`${answer.status} ${String(answer.body?.code)}`);
  }
  const counter = (await pool.query<{ failures: number; locked_until: string | null }>("select failures, locked_until from attempt_counters where key = $1", [`user:${userId}`])).rows[0];
  const events = await pool.query<{ type: string; detail: string; actor_user_id: string | null; client_address: string | null; user_agent: string | null }>(
    "select type, detail, actor_user_id, client_address, user_agent from events where subject_user_id = $1 order by seq",
    [userId],
  );
  return {
    answers: runLengths(answers),
    userCounter: counter ? { failures: Number(counter.failures), locked: counter.locked_until !== null } : null,
    addressCounted: (await addressFailures()) - addressBefore,
    events: runLengths(events.rows.map((event) => `${event.type} ${event.detail} actor=${event.actor_user_id === userId ? "user" : String(event.actor_user_id)} ${event.client_address} ${event.user_agent}`)),
  };
}

/** ["a", "a", "b"] → ["2 × a", "1 × b"]. */
function runLengths(values: string[]): string[] {
  const out: { value: string; count: number }[] = [];
  for (const value of values) {
    const last = out[out.length - 1];
    if (last?.value === value) last.count++;
    else out.push({ value, count: 1 });
  }
  return out.map(({ value, count }) => `${count} × ${value}`);
}
