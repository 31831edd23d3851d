/**
 * A message that reports a change, waiting in the transactional outbox (SPEC O3):
 * an email, or a back-channel logout to an app (issue 15; `recipient` is the
 * app's client id, `payload` the logout's JSON, the bodies empty).
 */
export interface OutgoingMessage {
  id: string;
  channel: "email" | "backchannel_logout";
  recipient: string;
  /** The notification kind (src/domain/notifications.ts), for the log and the dev page. */
  kind: string;
  subject: string;
  /** Emptied once the message is sent or given up on. */
  textBody: string;
  htmlBody: string;
  status: "pending" | "sent" | "failed";
  /** Claims so far (a claim counts even if the sender died before it could say how it went). */
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number | null;
  claimedBy: string | null;
  /** Why the last try failed: a status or error code, never a body or a credential. */
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: number;
  sentAt: number | null;
  /** What a back-channel logout will say (JSON, no secret: client id, sub, sid); null for an email. */
  payload: string | null;
}

export type NewOutgoingMessage = Pick<OutgoingMessage, "id" | "channel" | "recipient" | "kind" | "subject" | "textBody" | "htmlBody" | "createdAt"> & { payload?: string | null };

/**
 * The transactional outbox. `enqueue` runs on the ports of the change's own
 * transaction, so the message exists if and only if the change committed.
 * A dispatcher claims due rows (a lease, one conditional write), sends, and
 * settles them with writes that hold only while its claim does.
 */
export interface MessageStore {
  enqueue(message: NewOutgoingMessage): Promise<void>;

  /**
   * Claims up to `limit` pending messages due at `now` for `claimant` until
   * `now + leaseMs`, counting an attempt on each. Of racing claimers each
   * message goes to one only.
   */
  claimDue(now: number, limit: number, claimant: string, leaseMs: number): Promise<OutgoingMessage[]>;

  /** Marks a claimed message sent and empties its bodies; false when the claim was lost. */
  markSent(id: string, claimant: string, now: number, providerMessageId: string): Promise<boolean>;

  /** Releases a claim after a transient failure: due again at `nextAttemptAt`. */
  scheduleRetry(id: string, claimant: string, nextAttemptAt: number, error: string): Promise<boolean>;

  /** Gives up on a claimed message (a permanent failure, or too many attempts) and empties its bodies. */
  markFailed(id: string, claimant: string, now: number, error: string): Promise<boolean>;

  /** Newest first; for the development page and tests. */
  listMessages(limit: number): Promise<OutgoingMessage[]>;
}
