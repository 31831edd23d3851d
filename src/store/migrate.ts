import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as initial from "./migrations/0001-initial.js";
import * as smsAndMethods from "./migrations/0002-sms-and-methods.js";
import * as eventSequence from "./migrations/0003-event-sequence.js";

/** Migrations are imported, not read from disk, so the compiled build and tests see the same list. */
const migrations: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-sms-and-methods": smsAndMethods,
  "0003-event-sequence": eventSequence,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every migration not yet applied; returns their names. Throws if one fails (nothing half-applied per migration). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}
