import type { Kysely } from "kysely";

/**
 * A4: the event log pages read newest first by `seq` within a scope. 0003
 * indexes the subject's and the account's events; a user's own log also shows
 * what they did to others (actor), support filters by type, and a reseller's
 * log reaches its customers' accounts through accounts.parent_id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("events_actor_seq").on("events").columns(["actor_user_id", "seq"]).execute();
  await db.schema.createIndex("events_type_seq").on("events").columns(["type", "seq"]).execute();
  await db.schema.createIndex("accounts_parent").ifNotExists().on("accounts").column("parent_id").execute();
}
