/**
 * An isolated, migrated database for one test: SQLite (in memory, or a file)
 * or PostgreSQL (a fresh schema on the server in TWOSTEP_TEST_POSTGRES_URL,
 * dropped on close). TWOSTEP_TEST_DATABASE picks the kind: `sqlite` (default)
 * or `postgres`. Asking for PostgreSQL without a server URL throws: a run that
 * was meant to prove PostgreSQL never quietly falls back to SQLite.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import { migrateToLatest } from "../../src/store/migrate.js";
import { createPostgresDatabase } from "../../src/store/postgres.js";
import type { Database } from "../../src/store/schema.js";
import { createSqliteDatabase } from "../../src/store/sqlite.js";

export type TestDatabaseKind = "sqlite" | "postgres";

export interface TestDatabase {
  kind: TestDatabaseKind;
  db: Kysely<Database>;
  /** PostgreSQL: the schema this database lives in. */
  schema?: string;
  close(): Promise<void>;
}

export function testDatabaseKind(env: Record<string, string | undefined> = process.env): TestDatabaseKind {
  const kind = env.TWOSTEP_TEST_DATABASE ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgres") throw new Error(`TWOSTEP_TEST_DATABASE must be sqlite or postgres, not "${kind}"`);
  return kind;
}

export function testPostgresUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.TWOSTEP_TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      "PostgreSQL tests need TWOSTEP_TEST_POSTGRES_URL (a server you may create schemas on); " +
        "`bash scripts/postgres-test-cluster.sh <command>` starts a throwaway one and sets it",
    );
  }
  return url;
}

/** Runs SQL as the test server's owner, outside any test database (schema create/drop). */
async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function openTestDatabase(
  kind: TestDatabaseKind = testDatabaseKind(),
  options: { sqlitePath?: string; poolSize?: number } = {},
): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const db = createSqliteDatabase(options.sqlitePath ?? ":memory:");
    await migrateToLatest(db);
    return { kind, db, close: () => db.destroy() };
  }
  const url = testPostgresUrl();
  const schema = `t_${randomBytes(8).toString("hex")}`;
  await admin((client) => client.query(`create schema ${schema}`));
  const db = createPostgresDatabase({ url, poolSize: options.poolSize ?? 10, statementTimeoutMs: 10_000, searchPath: schema });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await admin((client) => client.query(`drop schema ${schema} cascade`));
    throw error;
  }
  return {
    kind,
    db,
    schema,
    close: async () => {
      await db.destroy();
      await admin((client) => client.query(`drop schema if exists ${schema} cascade`));
    },
  };
}
