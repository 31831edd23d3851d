import { sql, type Kysely } from "kysely";
import { migrationNames } from "./migrate.js";
import type { Database } from "./schema.js";

/**
 * What the management listener asks the database (src/operations/): is it
 * there, are its migrations this build's, how long is the email outbox. Each is
 * one short read; none touches a row a request writes.
 */

/** One round trip: resolves when the database answered. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** The migrations this build knows that the database has not applied (empty when current). */
export async function missingMigrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const applied = new Set(rows.map((row) => row.name));
  return migrationNames.filter((name) => !applied.has(name));
}

/** Emails waiting to be sent (pending, due or retrying) and when the oldest of them was written (null: none). */
export async function outboxBacklog(db: Kysely<Database>): Promise<{ pending: number; oldestCreatedAt: number | null }> {
  const row = await db
    .selectFrom("outgoing_messages")
    .select((eb) => [eb.fn.countAll<number | string>().as("pending"), eb.fn.min("created_at").as("oldest")])
    .where("status", "=", "pending")
    .executeTakeFirst();
  const oldest = row?.oldest;
  return { pending: Number(row?.pending ?? 0), oldestCreatedAt: oldest === null || oldest === undefined ? null : Number(oldest) };
}
