import type { OutboxMessage } from "../../domain/model.js";

/** The development outbox: messages shown on /dev/outbox instead of being sent (never used in production). */
export interface OutboxStore {
  /** The development outbox (never used in production). */
  insertOutboxMessage(message: OutboxMessage): Promise<void>;

  listOutboxMessages(limit: number): Promise<OutboxMessage[]>;

  /** The newest messages sent to one of `recipients` (email addresses, E.164 numbers); none for an empty list. */
  listOutboxMessagesTo(recipients: string[], limit: number): Promise<OutboxMessage[]>;
}
