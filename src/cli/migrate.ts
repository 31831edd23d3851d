import { parseConfig } from "../config.js";
import { openDatabase } from "../store/open-database.js";
import { migrateToLatest } from "../store/migrate.js";
import type { CommandIo } from "./index.js";

export async function migrateCommand(_args: string[], io: CommandIo): Promise<number> {
  const db = await openDatabase(parseConfig());
  try {
    const applied = await migrateToLatest(db);
    io.out(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    return 0;
  } finally {
    await db.destroy();
  }
}
