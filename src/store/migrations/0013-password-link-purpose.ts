import { sql, type Kysely } from "kysely";

/**
 * A1 and PR1 share the set-password link: an invitation and a reset are both
 * rows of `password_resets`. The page the link opens speaks to an invited user
 * about choosing a first password and to everyone else about a reset, so the
 * row says which it is. Rows from before this migration were resets or
 * invitations alike; they read as resets, the words every link had until now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table password_resets add column purpose text not null default 'reset'`.execute(db);
}
