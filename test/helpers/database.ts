/**
 * An isolated, migrated database for one test: SQLite (in memory, or a file)
 * or PostgreSQL (a database of its own on the server in
 * TWOSTEP_TEST_POSTGRES_URL, cloned from a migrated template and dropped on
 * close). TWOSTEP_TEST_DATABASE picks the kind: `sqlite` (default) or
 * `postgres`. Asking for PostgreSQL without a server URL throws: a run that
 * was meant to prove PostgreSQL never quietly falls back to SQLite.
 *
 * PostgreSQL: the migrations run once per server into `twostep_template_<hash
 * of the migration names>` (built under an advisory lock, so test files
 * running at once build it once, then marked a template), and each test
 * database is `CREATE DATABASE t_… TEMPLATE` it: a file copy of a few
 * milliseconds instead of sixteen migrations, and databases of their own, so
 * files run side by side (schemas in one database could not: Kysely's migrator
 * lists the tables of every schema, and failed when another file dropped its
 * own meanwhile). `createTestDatabaseUrl` gives an empty database, so the
 * command line's own `migrate` still runs every migration from nothing.
 */
import { hash, randomBytes } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import { migrateToLatest, migrationNames } from "../../src/store/migrate.js";
import { createPostgresDatabase } from "../../src/store/postgres.js";
import type { Database } from "../../src/store/schema.js";
import { createSqliteDatabase } from "../../src/store/sqlite.js";

export type TestDatabaseKind = "sqlite" | "postgres";

export interface TestDatabase {
  kind: TestDatabaseKind;
  db: Kysely<Database>;
  /** PostgreSQL: the URL of this database (its own, on the test server). */
  url?: string;
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

/** Runs SQL as the test server's owner, outside any test database (create/drop database). */
async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The test server's URL with another database name. */
function databaseUrl(name: string): string {
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

const templateName = `twostep_template_${hash("sha256", migrationNames.join("\n"), "hex").slice(0, 12)}`;
let template: Promise<string> | undefined;

/** The migrated template database, built once per server (per set of migrations). */
function migratedTemplate(): Promise<string> {
  template ??= admin(async (client) => {
    const ready = async () =>
      (await client.query("select 1 from pg_database where datname = $1 and datistemplate", [templateName])).rowCount === 1;
    if (await ready()) return templateName;
    // Test files start at once: one builds, the others wait on the lock and find it ready.
    await client.query("select pg_advisory_lock(hashtext('twostep_template'))");
    try {
      if (await ready()) return templateName;
      await client.query(`drop database if exists ${templateName} with (force)`);
      await client.query(`create database ${templateName}`);
      const db = createPostgresDatabase({ url: databaseUrl(templateName), poolSize: 1, statementTimeoutMs: 30_000 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      await client.query(`alter database ${templateName} is_template true`);
      return templateName;
    } finally {
      await client.query("select pg_advisory_unlock(hashtext('twostep_template'))");
    }
  });
  return template;
}

/** A new database on the test server: a copy of the migrated template, or empty. */
async function createDatabase(from: "template" | "empty"): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const source = from === "template" ? await migratedTemplate() : "template0";
  const name = `t_${randomBytes(8).toString("hex")}`;
  await admin((client) => client.query(`create database ${name} template ${source}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
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
  const database = await createDatabase("template");
  return connect(database.url, options.poolSize ?? 10, async (db) => {
    await db.destroy();
    await database.drop();
  });
}

/** Connects to a PostgreSQL test database and migrates it (a no-op on a copy of the template). */
async function connect(url: string, poolSize: number, close: (db: Kysely<Database>) => Promise<void>): Promise<TestDatabase> {
  const db = createPostgresDatabase({ url, poolSize, statementTimeoutMs: 10_000 });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await close(db);
    throw error;
  }
  return { kind: "postgres", db, url, close: () => close(db) };
}

/**
 * A TWOSTEP_DATABASE_URL for code that opens the database itself (the command
 * line, createRuntime): a SQLite file in `directory`, or on PostgreSQL a new,
 * empty database (not migrated: the caller's own migrate runs every migration
 * from nothing). close() drops it.
 */
export async function createTestDatabaseUrl(directory: string, kind: TestDatabaseKind = testDatabaseKind()): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === "sqlite") return { url: `sqlite:${directory}/twostep.sqlite`, close: async () => {} };
  const database = await createDatabase("empty");
  return { url: database.url, close: database.drop };
}

/**
 * A database that outlives one connection: several app instances on one
 * database, or an app "restarted" on the data the previous one left. A SQLite
 * file in `directory`, or a PostgreSQL database of its own. Each
 * `connectSharedTestDatabase` opens its own connection (its own pool on
 * PostgreSQL, as a second server process would) and migrates (a no-op); only
 * `close()` here deletes the data.
 */
export interface SharedTestDatabase {
  kind: TestDatabaseKind;
  sqlitePath?: string;
  /** PostgreSQL: the URL of the shared database. */
  url?: string;
  close(): Promise<void>;
}

export async function createSharedTestDatabase(directory: string, kind: TestDatabaseKind = testDatabaseKind()): Promise<SharedTestDatabase> {
  if (kind === "sqlite") return { kind, sqlitePath: `${directory}/twostep.sqlite`, close: async () => {} };
  const database = await createDatabase("template");
  return { kind, url: database.url, close: database.drop };
}

export async function connectSharedTestDatabase(shared: SharedTestDatabase): Promise<TestDatabase> {
  if (shared.kind === "sqlite") return openTestDatabase("sqlite", { sqlitePath: shared.sqlitePath! });
  return connect(shared.url!, 10, (db) => db.destroy());
}

/** A new PostgreSQL database for server processes of their own (test/helpers/instances.ts): empty, each process migrates. */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createDatabase("empty");
}
