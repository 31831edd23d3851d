import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig } from "kysely";
import type { Database } from "./schema.js";
import { timedConnections, type QueryTimer } from "./timed-dialect.js";

/**
 * The embedded default store: one SQLite file (or ":memory:" in tests).
 * WAL lets readers run beside the writer; busy_timeout makes a second process
 * wait for the write lock instead of failing; foreign keys are on; secure_delete
 * zeroes what is deleted.
 *
 * The file holds password hashes, encrypted secrets and the event log, so it
 * is readable by its owner only (0600, in a 0700 folder), like the key file.
 */
export function createSqliteDatabase(path: string, queryTimer?: QueryTimer): Kysely<Database> {
  if (path !== ":memory:") prepareOwnerOnlyFile(path);
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  // What is deleted or overwritten is zeroed in the file, not left in free space: erased email
  // bodies, spent codes, ended sessions (issue 18 finding 6; its cost is in bench/README.md).
  sqlite.pragma("secure_delete = ON");
  const dialect = new ImmediateSqliteDialect({ database: withStatementCache(sqlite), ...(queryTimer ? { onCreateConnection: timedConnections(queryTimer, { answersOnReturn: true }) } : {}) });
  return new Kysely<Database>({ dialect });
}

/**
 * Makes the folder (0700) and the database file (0600) before SQLite opens it,
 * and tightens an existing file and its -wal/-shm. SQLite creates -wal and -shm
 * with the main file's permissions, so 0600 on the main file carries over to
 * them (test/security/database-file-modes.test.ts checks all three).
 */
function prepareOwnerOnlyFile(path: string) {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  // "a": create if missing, never truncate; the mode applies only when it is created.
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `begin`:
 * the transaction reads under a shared lock and asks for the write lock only at
 * its first write. When another process wrote in between, SQLite cannot let it
 * wait (its snapshot is stale) and answers SQLITE_BUSY at once, whatever
 * busy_timeout says: a 500 "database is locked" (seen with two servers on one
 * file). `begin immediate` takes the write lock first, so a second writer waits
 * up to busy_timeout for it instead of failing. Every store transaction writes
 * (claim a step, count a failure, consume a code), so nothing is lost by it.
 */
export class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Kysely's SQLite driver calls `prepare` for every query, and parsing the SQL
 * again costs 10–40 µs a statement (about a third of the SQL time of a second
 * step, see bench/). The same few texts repeat on every request, so prepared
 * statements are kept; the cache starts over if it ever fills (statement shapes
 * that vary, such as long IN lists, cannot make it grow without limit). A
 * statement still being iterated (a streamed query) is busy and is never handed
 * out twice.
 */
export function withStatementCache(sqlite: SQLite.Database, capacity = 256): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached === undefined) {
        const statement = sqlite.prepare(sql);
        if (cache.size >= capacity) cache.clear();
        cache.set(sql, statement);
        return statement;
      }
      return cached.busy ? sqlite.prepare(sql) : cached;
    },
  };
}
