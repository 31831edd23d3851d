/**
 * Threat: another local user reads the database. The SQLite file and its WAL
 * hold password hashes, encrypted TOTP keys, hashed codes, sessions and the
 * event log (addresses, user agents). Created with the process umask (usually
 * 0644), any account on the machine could copy them and attack the hashes
 * offline. twostep creates the folder 0700 and the file 0600 before SQLite
 * opens it (SQLite gives -wal and -shm the main file's mode), and tightens an
 * existing file left readable by an older version.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { migrateToLatest } from "../../src/store/migrate.js";
import { createSqliteDatabase } from "../../src/store/sqlite.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("security: the database files are readable by their owner only", () => {
  let root: string;
  let umask: number;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "twostep-modes-"));
    // The most permissive umask: every bit the files end with is twostep's own choice.
    umask = process.umask(0o000);
  });
  after(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the folder 0700 and the file, its -wal and -shm 0600, after a real open and write", async () => {
    const path = join(root, "fresh", "data", "twostep.sqlite");
    const db = createSqliteDatabase(path);
    try {
      await migrateToLatest(db);
      await sql`insert into accounts (id, name, kind, parent_id, created_at) values ('a1', 'acme', 'platform', null, 0)`.execute(db);
      assert.ok(existsSync(`${path}-wal`), "WAL mode writes a -wal file");
      assert.ok(existsSync(`${path}-shm`), "and a -shm file");
      assert.equal(modeOf(join(root, "fresh", "data")).toString(8), "700", "data folder");
      assert.equal(modeOf(join(root, "fresh")).toString(8), "700", "every folder made for it");
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file).toString(8), "600", file);
    } finally {
      await db.destroy();
    }
  });

  it("tightens a database file (and its WAL) that an older version left world-readable", async () => {
    const path = join(root, "old.sqlite");
    writeFileSync(path, "");
    writeFileSync(`${path}-wal`, "");
    chmodSync(path, 0o644);
    chmodSync(`${path}-wal`, 0o644);
    const db = createSqliteDatabase(path);
    try {
      await migrateToLatest(db);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file).toString(8), "600", file);
    } finally {
      await db.destroy();
    }
  });
});
