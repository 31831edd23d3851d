import { parseConfig } from "../config.js";
import { openMigratedDatabase } from "../store/open-database.js";
import type { CommandIo } from "./command-io.js";

export async function migrateCommand(_args: string[], io: CommandIo): Promise<number> {
  const { db, applied } = await openMigratedDatabase(parseConfig());
  try {
    io.out(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    return 0;
  } finally {
    await db.destroy();
  }
}
