import type { Kysely } from "kysely";
import { migrateToLatest } from "./migrate.js";
import { DatabaseUrlError } from "./database-url-error.js";
import type { Database } from "./schema.js";
import type { QueryTimer } from "./timed-dialect.js";

export interface DatabaseSettings {
  /** TWOSTEP_DATABASE_URL: sqlite:<path> or postgres://user:password@host:port/database (postgresql:// too). */
  databaseUrl: string;
  /** TWOSTEP_DATABASE_POOL_SIZE (PostgreSQL only). */
  databasePoolSize: number;
  /** TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS (PostgreSQL only). */
  databaseStatementTimeoutMs: number;
  /** TWOSTEP_DATABASE_NAMED_STATEMENTS (PostgreSQL only; default on). */
  databaseNamedStatements?: boolean;
  /** Told of every statement's duration, for the query-duration metric (src/operations/; timed-dialect.ts); migrations are not timed. */
  queryTimer?: QueryTimer;
}

/**
 * Opens the database the URL names. The scheme picks the dialect; the rest of
 * the code sees one Kysely<Database>. Errors name the problem, never the URL
 * (a PostgreSQL URL carries the password). Only the chosen driver is loaded
 * (better-sqlite3 or pg): a server on one never holds the other in memory.
 */
export async function openDatabase(settings: DatabaseSettings, onPoolError?: (error: Error) => void): Promise<Kysely<Database>> {
  const url = settings.databaseUrl;
  if (url.startsWith("sqlite:")) {
    const { createSqliteDatabase } = await import("./sqlite.js");
    return createSqliteDatabase(url.slice("sqlite:".length), settings.queryTimer);
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const { createPostgresDatabase } = await import("./postgres.js");
    return createPostgresDatabase({
      url,
      poolSize: settings.databasePoolSize,
      statementTimeoutMs: settings.databaseStatementTimeoutMs,
      ...(settings.databaseNamedStatements === false ? { namedStatements: false } : {}),
      ...(onPoolError ? { onPoolError } : {}),
      ...(settings.queryTimer ? { queryTimer: settings.queryTimer } : {}),
    });
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
  throw new DatabaseUrlError(
    `TWOSTEP_DATABASE_URL must start with sqlite: or postgres:// (postgresql://)${scheme && scheme.length <= 20 ? `, not "${scheme}"` : ""}`,
  );
}

/**
 * Opens the database and applies the migrations not yet applied; returns their
 * names with it. On PostgreSQL they run on a connection of their own without the
 * statement timeout: a migration that builds an index on a large table may take
 * longer than any request should, and a cancelled one would stop every start.
 */
export async function openMigratedDatabase(
  settings: DatabaseSettings,
  onPoolError?: (error: Error) => void,
): Promise<{ db: Kysely<Database>; applied: string[] }> {
  const db = await openDatabase(settings, onPoolError);
  try {
    if (!settings.databaseUrl.startsWith("sqlite:")) {
      const migrator = await openDatabase({ ...settings, databasePoolSize: 1, databaseStatementTimeoutMs: 0, queryTimer: undefined });
      try {
        return { db, applied: await migrateToLatest(migrator) };
      } finally {
        await migrator.destroy();
      }
    }
    return { db, applied: await migrateToLatest(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
