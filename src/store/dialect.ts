import { PostgresAdapter, type Kysely } from "kysely";

/** For the few schema statements the two databases spell differently (identity columns). Queries stay portable. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
