import type { EventType, SecurityEvent } from "../../domain/model.js";

/**
 * Which events a log covers (A4):
 * - `user`: events whose subject OR actor is the user (an admin's action on someone shows in both logs);
 * - `account`: one account's events;
 * - `account_and_customers`: a reseller's account and its customer accounts (accounts.parent_id);
 * - `all`: every event (platform support).
 */
export type EventScope =
  | { kind: "user"; userId: string }
  | { kind: "account"; accountId: string }
  | { kind: "account_and_customers"; accountId: string }
  | { kind: "all" };

export interface EventSearch {
  scope: EventScope;
  /** Within the scope: events whose subject or actor is this user. */
  userId?: string;
  types?: EventType[];
  /** created_at ≥ from (ms). */
  from?: number;
  /** created_at < to (ms). */
  to?: number;
  /** Keyset cursor: only events with seq < before. */
  before?: number;
  limit: number;
}

/** An event as a log shows it: its place in the log and who the ids are. */
export interface LoggedEvent extends SecurityEvent {
  seq: number;
  actorEmail: string | null;
  subjectEmail: string | null;
  accountName: string | null;
}

/**
 * The append-only security event log (A4, SECURITY 34). There is no method
 * that changes or removes an event, on purpose: test/security/event-log-append-only.test.ts
 * checks this port's keys and its SQL.
 */
export interface EventStore {
  appendEvent(event: SecurityEvent): Promise<void>;

  listEvents(filter: { subjectUserId?: string; accountId?: string; limit: number }): Promise<SecurityEvent[]>;

  /** Newest first by `seq`, keyset-paged with `before`. */
  searchEvents(search: EventSearch): Promise<LoggedEvent[]>;
}
