import { sql, type Kysely } from "kysely";
import type { PolicyAudience } from "../../domain/policy.js";
import type { Database } from "../schema.js";

export async function listRequirementRows(db: Kysely<Database>, from: number, to: number) {
  const rows = await db
    .selectFrom("policies")
    .select(["account_id", "audience", "require_two_factor_from"])
    .where("require_two_factor_from", ">=", sql<number>`cast(${from} as bigint)`)
    .where("require_two_factor_from", "<", sql<number>`cast(${to} as bigint)`)
    .execute();
  return rows.map((row) => ({ accountId: row.account_id, audience: row.audience as PolicyAudience, requireTwoFactorFrom: Number(row.require_two_factor_from) }));
}

export async function listUncoveredUserIds(db: Kysely<Database>, accountId: string, audience: PolicyAudience): Promise<string[]> {
  let query = db.selectFrom("users as u").innerJoin("accounts as a", "a.id", "u.account_id").select("u.id").where("u.active", "=", 1);
  if (audience === "own_users") query = query.where("a.id", "=", accountId);
  else if (audience === "reseller_users") query = query.where("a.parent_id", "=", accountId).where("a.kind", "=", "reseller");
  else {
    query = query
      .where("a.kind", "=", "customer")
      .where((eb) => eb.or([eb("a.parent_id", "=", accountId), eb("a.parent_id", "in", eb.selectFrom("accounts").select("id").where("parent_id", "=", accountId))]));
  }
  const rows = await query
    .where((eb) => eb.not(eb.exists(eb.selectFrom("methods as m").select("m.id").whereRef("m.user_id", "=", "u.id").where("m.status", "=", "active"))))
    .execute();
  return rows.map((row) => row.id);
}

export async function claimReminder(db: Kysely<Database>, input: { userId: string; deadline: number; daysBefore: number; claimedAt: number }): Promise<boolean> {
  // Portable single use: `insert … on conflict do nothing` on SQLite and PostgreSQL; the loser inserts 0 rows.
  const result = await db
    .insertInto("two_factor_reminders")
    .values({ user_id: input.userId, deadline: input.deadline, days_before: input.daysBefore, claimed_at: input.claimedAt })
    .onConflict((oc) => oc.columns(["user_id", "deadline", "days_before"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}
