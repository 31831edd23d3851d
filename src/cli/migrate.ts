import { parseConfig } from "../config.js";
import { migrateDatabase } from "../bootstrap.js";
import type { CommandIo } from "./command-io.js";

export async function migrateCommand(_args: string[], io: CommandIo): Promise<number> {
  const applied = await migrateDatabase(parseConfig());
  io.out(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  return 0;
}
