import type { Kysely } from "kysely";
import { createPostgresDatabase, DatabaseUrlError } from "./postgres.js";
import type { Database } from "./schema.js";
import { createSqliteDatabase } from "./sqlite.js";

export interface DatabaseSettings {
  /** TWOSTEP_DATABASE_URL: sqlite:<path> or postgres://user:password@host:port/database (postgresql:// too). */
  databaseUrl: string;
  /** TWOSTEP_DATABASE_POOL_SIZE (PostgreSQL only). */
  databasePoolSize: number;
  /** TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS (PostgreSQL only). */
  databaseStatementTimeoutMs: number;
}

/**
 * Opens the database the URL names. The scheme picks the dialect; the rest of
 * the code sees one Kysely<Database>. Errors name the problem, never the URL
 * (a PostgreSQL URL carries the password).
 */
export async function openDatabase(settings: DatabaseSettings, onPoolError?: (error: Error) => void): Promise<Kysely<Database>> {
  const url = settings.databaseUrl;
  if (url.startsWith("sqlite:")) return createSqliteDatabase(url.slice("sqlite:".length));
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    return createPostgresDatabase({
      url,
      poolSize: settings.databasePoolSize,
      statementTimeoutMs: settings.databaseStatementTimeoutMs,
      ...(onPoolError ? { onPoolError } : {}),
    });
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
  throw new DatabaseUrlError(
    `TWOSTEP_DATABASE_URL must start with sqlite: or postgres:// (postgresql://)${scheme && scheme.length <= 20 ? `, not "${scheme}"` : ""}`,
  );
}
