/**
 * The Store conformance suite on PostgreSQL: a database of its own on the server in
 * TWOSTEP_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway cluster). The
 * races in the suite (Promise.all) run over separate pool connections, so they
 * meet in the server under READ COMMITTED. Without a server this fails; it is
 * never skipped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { createPostgresDatabase } from "../../src/store/postgres.js";
import { openTestDatabase, testPostgresUrl } from "../helpers/database.js";
import { runStoreConformance } from "./conformance.js";

runStoreConformance("PostgreSQL", async () => {
  const database = await openTestDatabase("postgres");
  return { store: createKyselyStore(database.db), close: () => database.close() };
});

describe("PostgreSQL connection settings", () => {
  it("reads bigint columns as numbers and refuses one beyond 2^53 rather than rounding it", async () => {
    const database = await openTestDatabase("postgres");
    try {
      const { rows } = await sql<{ small: unknown; big: unknown }>`select cast(1795000000000 as bigint) as small, cast(1 as bigint) as big`.execute(database.db);
      assert.equal(rows[0]!.small, 1_795_000_000_000);
      assert.equal(typeof rows[0]!.big, "number");
      await assert.rejects(sql`select cast(9007199254740993 as bigint) as too_big`.execute(database.db), /beyond 2\^53/);
    } finally {
      await database.close();
    }
  });

  it("cancels a statement that runs past the statement timeout, and the pool stays usable", async () => {
    const db = createPostgresDatabase({ url: testPostgresUrl(), poolSize: 1, statementTimeoutMs: 300 });
    try {
      // The one connection is opened first: on a loaded machine opening it can itself take longer
      // than 300 ms, which is the pool's wait and not what this test is about.
      await sql`select 1`.execute(db);
      await assert.rejects(sql`select pg_sleep(2)`.execute(db), /statement timeout/);
      assert.equal((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]!.one, 1);
    } finally {
      await db.destroy();
    }
  });

  it("sends the statements compiled once as named statements, parsed once per connection; none with TWOSTEP_DATABASE_NAMED_STATEMENTS=off", async () => {
    const database = await openTestDatabase("postgres");
    try {
      for (const namedStatements of [true, false]) {
        // One connection, so the statement and the look at pg_prepared_statements share a session.
        const db = createPostgresDatabase({ url: database.url!, poolSize: 1, statementTimeoutMs: 10_000, namedStatements });
        try {
          const store = createKyselyStore(db);
          const schedule = { rows: [{ failures: 3, lockSeconds: 60 }] };
          for (let i = 0; i < 3; i++) await store.counters.countAttempt(`user:named-${namedStatements}`, 1_795_000_000_000, schedule);
          const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
          if (namedStatements) assert.ok(rows.some((row) => row.name.startsWith("twostep_") && row.statement.includes("attempt_counters")), JSON.stringify(rows));
          else assert.deepEqual(rows, []);
        } finally {
          await db.destroy();
        }
      }
    } finally {
      await database.close();
    }
  });

  it("never opens more connections than the pool size", async () => {
    const database = await openTestDatabase("postgres", { poolSize: 3 });
    try {
      const seen = await Promise.all(
        Array.from({ length: 12 }, () => sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(database.db).then((result) => result.rows[0]!.pid)),
      );
      assert.equal(new Set(seen).size, 3);
    } finally {
      await database.close();
    }
  });
});
