import type { Kysely } from "kysely";

/**
 * PR1: a used reset link retires the user's other unused links
 * (`retireUserPasswordResets`), found by user; the table from 0001 is indexed
 * only by token hash.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("password_resets_user").on("password_resets").column("user_id").execute();
}
