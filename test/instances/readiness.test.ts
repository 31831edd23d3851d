/**
 * GET /readyz of a real server process follows its dependencies, without a restart:
 * - PostgreSQL stopped: 503 with the database's reason (and migrations not checked), while
 *   /healthz still answers 200; PostgreSQL started again on the same port: 200 by itself;
 * - a migration of this build missing from the database: 503 naming it; back: 200.
 * The first runs in the PostgreSQL run only, on a server of its own that it stops and starts
 * (test/helpers/own-postgres.ts); the second on both stores.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { sql } from "kysely";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { testDatabaseKind } from "../helpers/database.js";
import { createSharedDatabase, freePort, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { startOwnPostgres, type OwnPostgres } from "../helpers/own-postgres.js";

type ReadyAnswer = { status: number; body: { status: string; checks: Record<string, { ok: boolean; reason?: string }> } };

async function readyz(management: string): Promise<ReadyAnswer> {
  const response = await fetch(`${management}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyAnswer["body"] };
}

/** Asks /readyz until it answers `status` (30 s at most: a stopped server's connections fail at once, a started one answers within seconds). */
async function readyzUntil(management: string, status: number): Promise<ReadyAnswer> {
  for (let waited = 0; ; waited += 100) {
    const answer = await readyz(management);
    if (answer.status === status) return answer;
    assert.ok(waited < 30_000, `/readyz kept answering ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("/readyz follows the database", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function instanceOn(databaseUrl: string): Promise<{ instance: Instance; management: string }> {
    const port = await freePort();
    const instance = await startInstance(instanceEnv(databaseUrl, { TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${port}`, TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS: "2000" }));
    cleanups.push(() => stopInstance(instance));
    return { instance, management: `http://127.0.0.1:${port}` };
  }

  it("turns 503 when PostgreSQL stops and 200 when it is back, without a restart", { skip: testDatabaseKind() !== "postgres" && "needs a PostgreSQL server it can stop: runs in the PostgreSQL run" }, async () => {
    let server: OwnPostgres | null = await startOwnPostgres();
    cleanups.push(() => server?.destroy());
    const { instance, management } = await instanceOn(server.url);
    assert.equal((await readyz(management)).status, 200);

    server.stop();
    const down = await readyzUntil(management, 503);
    assert.equal(down.body.status, "not_ready");
    assert.equal(down.body.checks.database?.ok, false);
    assert.match(down.body.checks.database?.reason ?? "", /^the database did not answer/);
    assert.doesNotMatch(JSON.stringify(down.body), /twostep:|127\.0\.0\.1|password/, "no URL, host or user in the reasons");
    assert.deepEqual(down.body.checks.keys, { ok: true });
    assert.equal((await fetch(`${management}/healthz`)).status, 200, "the process still answers");
    assert.equal(instance.process.exitCode, null);

    server.start();
    const back = await readyzUntil(management, 200);
    assert.deepEqual(back.body, { status: "ready", checks: { database: { ok: true }, migrations: { ok: true }, keys: { ok: true }, shutdown: { ok: true } } });
    // And it serves again: the pool reconnected by itself.
    assert.equal((await fetch(`${instance.url}/login`)).status, 200);
    const again = server;
    server = null;
    again.destroy();
  });

  it("turns 503 naming a migration the database lacks, and 200 once it is there", async () => {
    const database = await createSharedDatabase();
    cleanups.push(() => database.drop());
    let runtime: Runtime | null = await createRuntime(parseConfig(instanceEnv(database.url)));
    cleanups.push(() => runtime?.close());
    const { management } = await instanceOn(database.url);
    assert.equal((await readyz(management)).status, 200);

    const last = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(runtime.db);
    const row = last.rows[0]!;
    await sql`delete from kysely_migration where name = ${row.name}`.execute(runtime.db);
    const missing = await readyz(management);
    assert.equal(missing.status, 503);
    assert.deepEqual(missing.body.checks.database, { ok: true });
    assert.equal(missing.body.checks.migrations?.ok, false);
    assert.match(missing.body.checks.migrations?.reason ?? "", new RegExp(`^1 migration\\(s\\) not applied: ${row.name};`));

    await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(runtime.db);
    assert.equal((await readyz(management)).status, 200);
    await runtime.close();
    runtime = null;
  });
});
