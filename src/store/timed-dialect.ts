// The global `performance` is a getter Node.js resolves on every use (about 0.1 µs each, 14 uses a request).
import { performance } from "node:perf_hooks";
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";

/** Told of every statement: how long the driver took to answer it (ms) and whether it failed. */
export type QueryTimer = (milliseconds: number, failed: boolean) => void;

/**
 * A dialect's `onCreateConnection` (Kysely's SQLite and PostgreSQL dialects call it once for each
 * connection they make: SQLite's one connection at start, each pool client's at its first use)
 * that times every statement the connection runs for `timer` (the query-duration metric,
 * src/operations/): the work's statements and the BEGIN, COMMIT and ROLLBACK around them, from the
 * hand-over to the driver until its answer. Kysely's `log` option times the same, through three
 * nested async functions, a closure and an event object per statement; here a statement costs
 * one `then` and two clock reads (bench "metrics on vs off", bench/README.md), and with
 * `answersOnReturn` two clock reads only; handing out a connection costs nothing (it was timed
 * when it was made).
 *
 * `answersOnReturn`: the dialect's connections do a statement's work before `executeQuery`
 * returns, and throw its error there (Kysely's SQLite connection over better-sqlite3, which is
 * synchronous: it answers with an already resolved promise); the statement is then timed up to
 * the return, with no `then` and no closure per statement. test/store/timed-dialect.test.ts
 * checks on SQLite that a statement failing when prepared and one failing when run are both
 * timed as failed.
 */
export function timedConnections(timer: QueryTimer, options: { answersOnReturn?: boolean } = {}): (connection: DatabaseConnection) => Promise<void> {
  const time = options.answersOnReturn === true ? timedOnReturn : timedOnAnswer;
  return async (connection) => time(connection, timer);
}

function timedOnReturn(connection: DatabaseConnection, timer: QueryTimer): void {
  const execute = connection.executeQuery;
  connection.executeQuery = <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const start = performance.now();
    let failed = true;
    try {
      const answer = execute.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(connection, query);
      failed = false;
      return answer;
    } finally {
      timer(performance.now() - start, failed);
    }
  };
}

function timedOnAnswer(connection: DatabaseConnection, timer: QueryTimer): void {
  const execute = connection.executeQuery;
  connection.executeQuery = <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const start = performance.now();
    let answer: Promise<QueryResult<R>>;
    try {
      answer = execute.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(connection, query);
    } catch (error) {
      // Kysely's SQLite connection throws at once for SQL that does not prepare (no such table).
      timer(performance.now() - start, true);
      throw error;
    }
    return answer.then(
      (result) => {
        timer(performance.now() - start, false);
        return result;
      },
      (error: unknown) => {
        timer(performance.now() - start, true);
        throw error;
      },
    );
  };
}
