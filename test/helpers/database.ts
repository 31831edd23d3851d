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

/**
 * A TWOSTEP_DATABASE_URL for code that opens the database itself (the command
 * line, createRuntime): a SQLite file in `directory`, or on PostgreSQL the test
 * server's URL with a fresh, empty schema as its search_path (not migrated:
 * the caller's own migrate does that). close() drops the schema.
 */
export async function createTestDatabaseUrl(directory: string, kind: TestDatabaseKind = testDatabaseKind()): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === "sqlite") return { url: `sqlite:${directory}/twostep.sqlite`, close: async () => {} };
  const schema = `t_${randomBytes(8).toString("hex")}`;
  await admin((client) => client.query(`create schema ${schema}`));
  const url = new URL(testPostgresUrl());
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), close: () => admin((client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined) };
}

/**
 * A database that outlives one connection: several app instances on one
 * database, or an app "restarted" on the data the previous one left. A SQLite
 * file in `directory`, or a PostgreSQL schema. Each `connectSharedTestDatabase`
 * opens its own connection (its own pool on PostgreSQL, as a second server
 * process would) and migrates (a no-op after the first); only `close()` here
 * deletes the data.
 */
export interface SharedTestDatabase {
  kind: TestDatabaseKind;
  sqlitePath?: string;
  schema?: string;
  close(): Promise<void>;
}

export async function createSharedTestDatabase(directory: string, kind: TestDatabaseKind = testDatabaseKind()): Promise<SharedTestDatabase> {
  if (kind === "sqlite") return { kind, sqlitePath: `${directory}/twostep.sqlite`, close: async () => {} };
  const schema = `t_${randomBytes(8).toString("hex")}`;
  await admin((client) => client.query(`create schema ${schema}`));
  return { kind, schema, close: () => admin((client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined) };
}

export async function connectSharedTestDatabase(shared: SharedTestDatabase): Promise<TestDatabase> {
  if (shared.kind === "sqlite") return openTestDatabase("sqlite", { sqlitePath: shared.sqlitePath! });
  const db = createPostgresDatabase({ url: testPostgresUrl(), poolSize: 10, statementTimeoutMs: 10_000, searchPath: shared.schema! });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { kind: "postgres", db, schema: shared.schema!, close: () => db.destroy() };
}
