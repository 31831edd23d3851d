/**
 * One OS process of test/security/two-processes-one-database.test.ts: opens the
 * SQLite file with the real createSqliteDatabase and runs many read-then-write
 * transactions (read the counter, write it plus one), several at once, the
 * shape of a second step (read the throttle, then count the failure). Prints
 * `{"done":n,"errors":[...]}` on stdout. Writes `<start file>.ready-<pid>` once
 * the file is open, then waits for the start file so both processes begin together.
 */
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { createSqliteDatabase } from "../../src/store/sqlite.js";

const [path, startFile, countText] = process.argv.slice(2);
const count = Number(countText);
const db = createSqliteDatabase(path!);
// Says it has the file open, then waits for the start file.
writeFileSync(`${startFile}.ready-${process.pid}`, "");
while (!existsSync(startFile!)) await sleep(5);

const errors: string[] = [];
let done = 0;
await Promise.all(
  Array.from({ length: count }, async () => {
    try {
      await db.transaction().execute(async (trx) => {
        const row = (await sql<{ value: number }>`select value from counter where id = 1`.execute(trx)).rows[0]!;
        await sleep(0);
        await sql`update counter set value = ${row.value + 1} where id = 1`.execute(trx);
      });
      done++;
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }),
);
await db.destroy();
process.stdout.write(JSON.stringify({ done, errors }) + "\n");
