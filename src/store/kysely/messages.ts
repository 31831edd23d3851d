import { sql, type Kysely, type Selectable } from "kysely";
import type { Database } from "../schema.js";
import type { NewOutgoingMessage, OutgoingMessage } from "../ports/messages.js";
import { isPostgres } from "../dialect.js";

/** The transactional outbox (migration 0004). */

type Row = Selectable<Database["outgoing_messages"]>;

function toMessage(row: Row): OutgoingMessage {
  return {
    id: row.id,
    channel: row.channel as OutgoingMessage["channel"],
    recipient: row.recipient,
    kind: row.kind,
    subject: row.subject,
    textBody: row.text_body,
    htmlBody: row.html_body,
    status: row.status as OutgoingMessage["status"],
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    claimedUntil: row.claimed_until === null ? null : Number(row.claimed_until),
    claimedBy: row.claimed_by,
    lastError: row.last_error,
    providerMessageId: row.provider_message_id,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    payload: row.payload ?? null,
  };
}

export async function enqueue(db: Kysely<Database>, message: NewOutgoingMessage): Promise<void> {
  await db
    .insertInto("outgoing_messages")
    .values({
      id: message.id,
      channel: message.channel,
      recipient: message.recipient,
      kind: message.kind,
      subject: message.subject,
      text_body: message.textBody,
      html_body: message.htmlBody,
      payload: message.payload ?? null,
      status: "pending",
      attempts: 0,
      next_attempt_at: message.createdAt,
      created_at: message.createdAt,
    })
    .execute();
}

/**
 * One statement: the due rows are picked and leased in the same UPDATE, and
 * its WHERE repeats the "still claimable" condition. Two claimers racing for a
 * row cannot both get it: on SQLite writes run one at a time; on PostgreSQL at
 * READ COMMITTED the second UPDATE waits on the row lock the first took, then
 * re-checks its WHERE against the row as the first left it (claimed_until now
 * lies in the future), so it skips the row. `FOR UPDATE SKIP LOCKED` in the
 * inner select makes PostgreSQL claimers pass over each other's rows instead of
 * queueing behind them; the outer condition is what makes the claim single.
 */
export async function claimDue(db: Kysely<Database>, now: number, limit: number, claimant: string, leaseMs: number): Promise<OutgoingMessage[]> {
  const nowValue = sql<number>`cast(${now} as bigint)`;
  let due = db
    .selectFrom("outgoing_messages")
    .select("id")
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now)]))
    .orderBy("next_attempt_at")
    .limit(limit);
  if (isPostgres(db)) due = due.forUpdate().skipLocked();
  // On PostgreSQL the locking sub-select goes in a materialized CTE, run once: as a bare `IN (…)`
  // the planner may run it again per row, and with SKIP LOCKED each run skips the rows the last
  // one locked, so one claim took every due row whatever the limit (a shutdown then waited for
  // the whole backlog, and a busy outbox was sent all at once).
  // (Typed as the plain builder: the CTE is read only by name, in the raw `select id from due` below.)
  const claimer = isPostgres(db) ? (db.with((cte) => cte("due").materialized(), () => due) as unknown as Pick<Kysely<Database>, "updateTable">) : db;
  const rows = await claimer
    .updateTable("outgoing_messages")
    .set((eb) => ({ claimed_by: claimant, claimed_until: sql<number>`${nowValue} + cast(${leaseMs} as bigint)`, attempts: eb("attempts", "+", 1) }))
    .where("id", "in", isPostgres(db) ? sql<string>`(select id from due)` : due)
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now)]))
    .returningAll()
    .execute();
  return rows.map(toMessage).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
}

/** Settling writes hold only while the claim does: a sender whose lease ran out changes nothing. */
function claimed(db: Kysely<Database>, id: string, claimant: string) {
  return db.updateTable("outgoing_messages").where("id", "=", id).where("claimed_by", "=", claimant).where("status", "=", "pending");
}

export async function markSent(db: Kysely<Database>, id: string, claimant: string, now: number, providerMessageId: string): Promise<boolean> {
  const result = await claimed(db, id, claimant)
    .set({ status: "sent", sent_at: now, provider_message_id: providerMessageId, claimed_until: null, text_body: "", html_body: "", last_error: null })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function scheduleRetry(db: Kysely<Database>, id: string, claimant: string, nextAttemptAt: number, error: string): Promise<boolean> {
  const result = await claimed(db, id, claimant).set({ next_attempt_at: nextAttemptAt, claimed_until: null, claimed_by: null, last_error: error }).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markFailed(db: Kysely<Database>, id: string, claimant: string, now: number, error: string): Promise<boolean> {
  const result = await claimed(db, id, claimant)
    .set({ status: "failed", sent_at: null, claimed_until: null, last_error: error, text_body: "", html_body: "", next_attempt_at: now })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listMessages(db: Kysely<Database>, limit: number): Promise<OutgoingMessage[]> {
  const rows = await db.selectFrom("outgoing_messages").selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(toMessage);
}
