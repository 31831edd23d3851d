/**
 * Threat: a server that fails under its own concurrency. Two twostep processes
 * on one SQLite file (a rolling restart, the CLI beside the server, two
 * workers) answered 500 "database is locked" to some concurrent requests: a
 * deferred `begin` reads first and asks for the write lock later, and SQLite
 * refuses that upgrade at once when the other process wrote in between. A
 * failed write there could also be a failure count that was never stored.
 * Write transactions begin immediate, so they wait (busy_timeout) instead:
 * two processes with many concurrent read-then-write transactions see zero
 * errors and no lost update.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { createSqliteDatabase } from "../../src/store/sqlite.js";

const run = promisify(execFile);
const writer = join(import.meta.dirname, "../helpers/sqlite-writer-process.ts");
const perProcess = 150;

describe("security: two processes on one SQLite file", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "twostep-two-processes-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs many concurrent read-then-write transactions from both with zero errors and no lost update", async () => {
    const path = join(dir, "shared.sqlite");
    const setup = createSqliteDatabase(path);
    await setup.destroy();
    const direct = new SQLite(path);
    direct.exec("create table counter (id integer primary key, value integer not null); insert into counter values (1, 0);");
    direct.close();

    const startFile = join(dir, "go");
    const processes = [0, 1].map(() => run(process.execPath, ["--import", "tsx", writer, path, startFile, String(perProcess)], { timeout: 60_000 }));
    // Once both have the file open (each says so with a ready file), start them together.
    const ready = () => readdirSync(dir).filter((name) => name.startsWith("go.ready-")).length;
    for (let waited = 0; ready() < 2; waited += 10) {
      assert.ok(waited < 30_000, "the writer processes never opened the file");
      await sleep(10);
    }
    writeFileSync(startFile, "");
    const results = (await Promise.all(processes)).map(({ stdout }) => JSON.parse(stdout.trim().split("\n").pop()!) as { done: number; errors: string[] });

    const errors = results.flatMap((result) => result.errors);
    assert.deepEqual(errors, [], `${errors.length} of ${2 * perProcess} transactions failed`);
    assert.deepEqual(results.map((result) => result.done), [perProcess, perProcess]);
    const check = new SQLite(path, { readonly: true });
    const { value } = check.prepare("select value from counter where id = 1").get() as { value: number };
    check.close();
    assert.equal(value, 2 * perProcess, "every increment is stored");
  });
});
