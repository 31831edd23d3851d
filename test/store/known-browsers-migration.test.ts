/**
 * Migration 0017 renames `remembered_browsers` to `known_browsers` (issue 19):
 * an existing deployment keeps every known browser it had, so no user's
 * browser starts waiting behind the per-account password delay after the
 * upgrade. Runs on the store TWOSTEP_TEST_DATABASE names.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql, type Kysely } from "kysely";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { migrateTo, migrateToLatest } from "../../src/store/migrate.js";
import { openDatabase } from "../../src/store/open-database.js";
import { createTestDatabaseUrl, testDatabaseKind } from "../helpers/database.js";

describe(`store: migration 0017 keeps the known browsers (${testDatabaseKind()})`, () => {
  let db: Kysely<any>;
  let closeDatabase: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "twostep-0017-"));
  before(async () => {
    const database = await createTestDatabaseUrl(dir);
    db = await openDatabase({ databaseUrl: database.url, databasePoolSize: 2, databaseStatementTimeoutMs: 5000 });
    closeDatabase = database.close;
  });
  after(async () => {
    await db.destroy();
    await closeDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  it("moves the rows of remembered_browsers to known_browsers, where the store finds them", async () => {
    await migrateTo(db, "0016-webauthn");
    await db.insertInto("accounts").values({ id: "a1", kind: "platform", name: "Platform", parent_id: null, created_at: 0 }).execute();
    await db
      .insertInto("users")
      .values({ id: "u1", account_id: "a1", email: "u1@example.com", display_name: "U", search_name: "u", role: "member", password_hash: "x", active: 1, created_at: 0 })
      .execute();
    await db.insertInto("remembered_browsers").values({ token_hash: "hash-1", user_id: "u1", created_at: 0, expires_at: 1000 }).execute();

    await migrateToLatest(db);
    assert.deepEqual(await createKyselyStore(db).knownBrowsers.findKnownBrowser("hash-1", 1), { userId: "u1" });
    const tables =
      testDatabaseKind() === "postgres"
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_name in ('remembered_browsers', 'known_browsers')`.execute(db)
        : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name in ('remembered_browsers', 'known_browsers')`.execute(db);
    assert.deepEqual(tables.rows.map((row) => row.name), ["known_browsers"]);
  });
});
