import type { OutboxMessage } from "../../domain/model.js";

/** The development outbox: messages shown on /dev/outbox instead of being sent (never used in production). */
export interface OutboxStore {
  /** The development outbox (never used in production). */
  insertOutboxMessage(message: OutboxMessage): Promise<void>;

  listOutboxMessages(limit: number): Promise<OutboxMessage[]>;
}
