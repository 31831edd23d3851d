import type { Kysely } from "kysely";

/**
 * Issue 7 (P1): the reminder emails before a 2FA deadline. One row per
 * (user, deadline, days before) is the claim: the job inserts it with
 * `on conflict do nothing`, and only the instance whose insert landed records
 * the reminder, so several instances running the job send each one once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("two_factor_reminders")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("deadline", "bigint", (c) => c.notNull())
    .addColumn("days_before", "integer", (c) => c.notNull())
    .addColumn("claimed_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("two_factor_reminders_pk", ["user_id", "deadline", "days_before"])
    .execute();
}
