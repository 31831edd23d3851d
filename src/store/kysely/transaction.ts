import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Runs `work` in a transaction, or inside the caller's one if `db` already is one. */
export function inTransaction<T>(db: Kysely<Database>, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
