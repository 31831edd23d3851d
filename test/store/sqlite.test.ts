/** The Store conformance suite on the embedded default: SQLite in a temporary file (WAL, as in production). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "node:test";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { migrateToLatest } from "../../src/store/migrate.js";
import { createSqliteDatabase } from "../../src/store/sqlite.js";
import { runStoreConformance } from "./conformance.js";

// In a suite of this file, so the run's per-file accounting sees this file's tests (scripts/test-groups.sh).
describe("SQLite store", () => runStoreConformance("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-store-"));
  const db = createSqliteDatabase(join(dir, "store.sqlite"));
  await migrateToLatest(db);
  return {
    store: createKyselyStore(db),
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}));
