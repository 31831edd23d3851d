import type { SecurityEvent } from "../../domain/model.js";

/** The append-only security event log (A4, SECURITY 34). */
export interface EventStore {
  appendEvent(event: SecurityEvent): Promise<void>;

  listEvents(filter: { subjectUserId?: string; accountId?: string; limit: number }): Promise<SecurityEvent[]>;
}
