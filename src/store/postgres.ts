import pg from "pg";
import { Kysely, PostgresDialect } from "kysely";
import { DatabaseUrlError } from "./database-url-error.js";
import type { Database } from "./schema.js";
import { preparedStatementName } from "./kysely/prepared.js";
import { timedConnections, type QueryTimer } from "./timed-dialect.js";

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (or postgresql://); query parameters such as sslmode pass through to pg. */
  url: string;
  /** Most connections the pool opens (TWOSTEP_DATABASE_POOL_SIZE). */
  poolSize: number;
  /** Server-side limit per statement, and the longest wait for a free pool connection (TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS); 0: none (migrations). */
  statementTimeoutMs: number;
  /** Send the statements `prepare` compiled as named statements (TWOSTEP_DATABASE_NAMED_STATEMENTS; default true). */
  namedStatements?: boolean;
  /** Schema to use instead of `public` (tests give every database its own). */
  searchPath?: string;
  /** Called when an idle pooled connection breaks (e.g. the server restarted); the pool drops it and reconnects on demand. */
  onPoolError?: (error: Error) => void;
  /** Told of every statement's duration (the management listener's query-duration metric, timed-dialect.ts); none by default. */
  queryTimer?: QueryTimer;
}


/**
 * Checks the URL's shape without ever echoing it: the password is part of it,
 * and this message reaches logs and terminals.
 */
export function checkPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(
      "TWOSTEP_DATABASE_URL is not a valid URL; expected postgres://user:password@host:port/database (percent-encode special characters in the password)",
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new DatabaseUrlError("TWOSTEP_DATABASE_URL must start with postgres:// or postgresql:// for PostgreSQL");
  }
  if (!parsed.hostname) throw new DatabaseUrlError("TWOSTEP_DATABASE_URL names no host; expected postgres://user:password@host:port/database");
  if (parsed.pathname.length <= 1) throw new DatabaseUrlError("TWOSTEP_DATABASE_URL names no database; expected postgres://user:password@host:port/database");
}

const int8 = pg.types.builtins.INT8;
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * pg returns int8 (bigint) as text because it can exceed 2^53. Our bigints are
 * millisecond times, TOTP steps and counters, all far below 2^53, so they are read
 * as numbers; a value that would lose precision throws instead of being rounded.
 * Set per pool, not with the global pg.types, so nothing else in the process changes.
 */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === int8 && format !== "binary") {
      return (value: string) => {
        const big = BigInt(value);
        if (big > maxSafe || big < -maxSafe) throw new RangeError("a bigint column holds a value beyond 2^53");
        return Number(value);
      };
    }
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid, "text");
  }) as typeof pg.types.getTypeParser,
};

/** The production store: PostgreSQL through a pg pool. Every query runs in READ COMMITTED (PostgreSQL's default). */
export function createPostgresDatabase(options: PostgresOptions): Kysely<Database> {
  checkPostgresUrl(options.url);
  if (options.searchPath !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.searchPath)) throw new Error("searchPath must be a plain lower-case identifier");
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // A statement that runs this long is waiting on a lock or a sick server: failing it frees the
    // connection instead of letting requests pile up behind it.
    statement_timeout: options.statementTimeoutMs > 0 ? options.statementTimeoutMs : false,
    // A transaction left open (a bug, a stalled process) would hold row locks that block logins.
    ...(options.statementTimeoutMs > 0 ? { idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs * 2, 10_000) } : {}),
    // A full pool answers with an error after this long rather than queueing requests for ever.
    connectionTimeoutMillis: options.statementTimeoutMs > 0 ? options.statementTimeoutMs : 30_000,
    application_name: "twostep",
    types,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  pool.on("error", (error) => options.onPoolError?.(error));
  // Kysely hands pg the SQL text and the values; the hot statements go by name instead (see namedStatements).
  const namingPool = { connect: async () => namedStatements(await pool.connect()), end: () => pool.end() };
  const dialect = new PostgresDialect({ pool: options.namedStatements === false ? pool : namingPool, ...(options.queryTimer ? { onCreateConnection: timedConnections(options.queryTimer) } : {}) });
  return new Kysely<Database>({ dialect });
}

const named = new WeakSet<pg.PoolClient>();

/**
 * The statements `prepare` compiled (kysely/prepared.ts) are sent as named statements: PostgreSQL
 * parses and plans each once per connection instead of on every call, and pg sends only the name
 * and the values after the first time (issue 16: the second step sent 1–2 kB of SQL text per
 * statement). Any other text goes as before, unnamed. A named statement lives as long as its
 * connection, whatever transaction it was first sent in.
 */
function namedStatements(client: pg.PoolClient): pg.PoolClient {
  if (named.has(client)) return client;
  named.add(client);
  const plain = client.query as (...args: unknown[]) => unknown;
  // Kysely's PostgresDriver calls query(text, values) and reads command, rowCount and rows: the same with a named config.
  client.query = function (this: pg.PoolClient, text: unknown, values?: unknown) {
    const name = typeof text === "string" && Array.isArray(values) && values.length > 0 ? preparedStatementName(text) : undefined;
    return name ? plain.call(this, { name, text, values }) : plain.call(this, text, values);
  } as typeof client.query;
  return client;
}
