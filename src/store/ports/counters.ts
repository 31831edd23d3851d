import type { LockSchedule, AttemptCount } from "./shared.js";

/** Attempt counters (lockout) and fixed-window send counters. */
export interface CounterStore {
  /**
   * Counts one attempt against `key` unless it is locked, in one statement, and
   * applies the lock schedule (failure count → lock seconds) in the same write.
   */
  countAttempt(key: string, now: number, schedule: LockSchedule): Promise<AttemptCount>;

  clearAttempts(key: string): Promise<void>;

  /** Gives back one counted attempt (a success on a shared counter such as a client address). */
  refundAttempt(key: string, now: number): Promise<void>;

  /**
   * Counts one event against `key` in a fixed window of `windowSeconds` and returns
   * the count so far in this window, in one statement (send limits, SECURITY 25).
   */
  countInWindow(key: string, now: number, windowSeconds: number): Promise<{ count: number; windowStart: number }>;
}
