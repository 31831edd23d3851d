import { PostgresAdapter, type Kysely, type SelectQueryBuilder } from "kysely";
import type { Database } from "../schema.js";

/** Runs `work` in a transaction, or inside the caller's one if `db` already is one. */
export function inTransaction<T>(db: Kysely<Database>, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}

/**
 * Inside a PostgreSQL transaction, a read the transaction then acts on takes the
 * row's lock (SELECT … FOR UPDATE): under READ COMMITTED two transactions could
 * otherwise both read the same "still open" row and both act on it. A second
 * reader waits for the first to commit and then reads the row as it was left.
 * SQLite needs nothing: its transactions already run one at a time on the one
 * connection, and it has no FOR UPDATE. Outside a transaction nothing is locked.
 */
export function lockedInTransaction<O>(db: Kysely<Database>, query: SelectQueryBuilder<Database, keyof Database, O>): SelectQueryBuilder<Database, keyof Database, O> {
  return db.isTransaction && db.getExecutor().adapter instanceof PostgresAdapter ? query.forUpdate() : query;
}
