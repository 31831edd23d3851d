/**
 * The query timer (src/store/timed-dialect.ts, the query-duration metric) hears of every
 * statement once, with its outcome: a statement alone, each statement of a transaction with
 * its BEGIN and COMMIT (or ROLLBACK), and a failing statement as failed, whose error still
 * reaches the caller unchanged, whether it fails when prepared or when run. On SQLite, and on PostgreSQL under TWOSTEP_TEST_DATABASE=postgres.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql, type Kysely } from "kysely";
import { openDatabase } from "../../src/store/open-database.js";
import type { Database } from "../../src/store/schema.js";
import { createSharedDatabase } from "../helpers/instances.js";

describe("timed dialect", () => {
  let shared: { url: string; drop(): Promise<void> };
  let db: Kysely<Database>;
  const heard: { milliseconds: number; failed: boolean }[] = [];

  before(async () => {
    shared = await createSharedDatabase();
    db = await openDatabase({ databaseUrl: shared.url, databasePoolSize: 2, databaseStatementTimeoutMs: 5000, queryTimer: (milliseconds, failed) => heard.push({ milliseconds, failed }) });
  });
  after(async () => {
    await db?.destroy();
    await shared?.drop();
  });

  it("times a statement once, as ok, with a duration", async () => {
    heard.length = 0;
    const rows = await sql<{ one: number }>`select 1 as one`.execute(db);
    assert.equal(Number(rows.rows[0]!.one), 1);
    assert.equal(heard.length, 1);
    assert.equal(heard[0]!.failed, false);
    assert.ok(heard[0]!.milliseconds >= 0 && heard[0]!.milliseconds < 5000, String(heard[0]!.milliseconds));
    await sql`select 2`.execute(db);
    assert.equal(heard.length, 2, "a connection handed out again is not timed twice");
  });

  it("times each statement of a transaction, with its begin and commit", async () => {
    heard.length = 0;
    await db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await sql`select 2`.execute(trx);
    });
    assert.deepEqual(heard.map((entry) => entry.failed), [false, false, false, false]);
  });

  it("times a failing statement as failed and hands its error on", async () => {
    heard.length = 0;
    await assert.rejects(sql`select * from no_such_table`.execute(db), /no_such_table/);
    assert.deepEqual(heard.map((entry) => entry.failed), [true]);
    heard.length = 0;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`select * from no_such_table`.execute(trx);
      }),
      /no_such_table/,
    );
    assert.deepEqual(heard.map((entry) => entry.failed), [false, true, false], "begin, the failed statement, rollback");
  });

  it("times a statement that prepares but fails when run as failed (SQLite times up to the return)", async () => {
    heard.length = 0;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`create temporary table timed_not_null (x integer not null)`.execute(trx);
        await sql`insert into timed_not_null (x) values (null)`.execute(trx);
      }),
      /not.null/i,
    );
    assert.deepEqual(heard.map((entry) => entry.failed), [false, false, true, false], "begin, create, the failed insert, rollback");
  });
});
