import type { Kysely, Selectable } from "kysely";
import type { ResetRequest, ResetRequestPage, ResetRequestStatus } from "../ports/reset-requests.js";
import type { Database } from "../schema.js";
import { highest } from "./user-directory.js";

type Row = Selectable<Database["reset_requests"]>;

function toRequest(row: Row): ResetRequest {
  return {
    id: row.id,
    accountId: row.account_id,
    subjectUserId: row.subject_user_id,
    filedByUserId: row.filed_by_user_id,
    reason: row.reason,
    status: row.status as ResetRequestStatus,
    reviewedByUserId: row.reviewed_by_user_id,
    reviewReason: row.review_reason,
    createdAt: Number(row.created_at),
    reviewedAt: row.reviewed_at === null ? null : Number(row.reviewed_at),
  };
}

export async function insertResetRequest(
  db: Kysely<Database>,
  request: { id: string; accountId: string; subjectUserId: string; filedByUserId: string; reason: string; createdAt: number },
): Promise<boolean> {
  // The partial unique index (migration 0009) allows one pending row per user; a second
  // insert, even one racing the first, conflicts and writes nothing (same on both databases).
  const row = await db
    .insertInto("reset_requests")
    .values({
      id: request.id,
      account_id: request.accountId,
      subject_user_id: request.subjectUserId,
      filed_by_user_id: request.filedByUserId,
      reason: request.reason,
      status: "pending",
      reviewed_by_user_id: null,
      review_reason: null,
      created_at: request.createdAt,
      reviewed_at: null,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function findResetRequest(db: Kysely<Database>, id: string): Promise<ResetRequest | undefined> {
  const row = await db.selectFrom("reset_requests").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

async function cursorOf(db: Kysely<Database>, after: string | undefined): Promise<{ createdAt: number; id: string } | null | undefined> {
  if (after === undefined) return undefined;
  const row = await db.selectFrom("reset_requests").select(["created_at", "id"]).where("id", "=", after).executeTakeFirst();
  return row ? { createdAt: Number(row.created_at), id: row.id } : null;
}

/** The requests of users whose email starts with the prefix: a range of the users' email index (bytewise on both databases, migration 0014). */
function forEmailPrefix(db: Kysely<Database>, emailPrefix: string | undefined) {
  const query = db.selectFrom("reset_requests").selectAll("reset_requests");
  if (!emailPrefix) return query;
  const users = db.selectFrom("users").select("users.id").where("users.email", ">=", emailPrefix).where("users.email", "<", emailPrefix + highest);
  return query.where("reset_requests.subject_user_id", "in", users);
}

export async function listPendingResetRequests(db: Kysely<Database>, options: ResetRequestPage): Promise<ResetRequest[]> {
  const cursor = await cursorOf(db, options.after);
  if (cursor === null) return [];
  let query = forEmailPrefix(db, options.emailPrefix).where("status", "=", "pending");
  if (cursor) {
    query = query.where((eb) => eb.or([eb("created_at", ">", cursor.createdAt), eb.and([eb("created_at", "=", cursor.createdAt), eb("id", ">", cursor.id)])]));
  }
  const rows = await query.orderBy("created_at", "asc").orderBy("id", "asc").limit(options.limit).execute();
  return rows.map(toRequest);
}

export async function listRecentResetRequests(db: Kysely<Database>, options: ResetRequestPage): Promise<ResetRequest[]> {
  const cursor = await cursorOf(db, options.after);
  if (cursor === null) return [];
  let query = forEmailPrefix(db, options.emailPrefix);
  if (cursor) {
    query = query.where((eb) => eb.or([eb("created_at", "<", cursor.createdAt), eb.and([eb("created_at", "=", cursor.createdAt), eb("id", "<", cursor.id)])]));
  }
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(options.limit).execute();
  return rows.map(toRequest);
}

export async function listDecidedResetRequests(db: Kysely<Database>, options: { limit: number }): Promise<ResetRequest[]> {
  // No index of its own: requests are filed and reviewed by hand, a few a day, so the decided rows
  // stay in the thousands; the support queue's first page asks for the newest twenty.
  const rows = await db.selectFrom("reset_requests").selectAll().where("status", "<>", "pending").orderBy("reviewed_at", "desc").orderBy("id", "desc").limit(options.limit).execute();
  return rows.map(toRequest);
}

export async function settleResetRequest(
  db: Kysely<Database>,
  id: string,
  decision: { status: "approved" | "rejected"; reviewedByUserId: string; reviewReason: string | null; reviewedAt: number },
): Promise<ResetRequest | undefined> {
  // One conditional write (SECURITY 31): two support staff deciding the same request at once
  // both send `UPDATE … WHERE status = 'pending'`. On PostgreSQL the second waits on the first's
  // row lock, re-checks the condition against the committed row and updates nothing; SQLite runs
  // one write transaction at a time. So exactly one gets the row back: one winner, one decision.
  const row = await db
    .updateTable("reset_requests")
    .set({ status: decision.status, reviewed_by_user_id: decision.reviewedByUserId, review_reason: decision.reviewReason, reviewed_at: decision.reviewedAt })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .returningAll()
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}
