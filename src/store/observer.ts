import type { SecurityEvent } from "../domain/model.js";

/**
 * What the Kysely store tells whoever watches it (the metrics, src/operations/observed-parts.ts)
 * of the calls it answered, so that nothing has to wrap its ports (`createKyselyStore(db, observer)`).
 * Each is called after the call answered, and only when it did not throw; the observer must not throw.
 * The counts are told as the port answered them, whether or not their transaction then commits.
 */
export interface StoreObserver {
  /**
   * An event `events.appendEvent` wrote: one appended inside a transaction once that transaction
   * committed (in the order appended; never if it rolled back), one appended outside a transaction at once.
   */
  eventCommitted(event: SecurityEvent): void;
  /**
   * An attempt counter that refused its attempt (the key was locked): `counters.countAttempt`
   * answering "not allowed", or a refused count in `sessions.findLoginAttempt`'s answer. `key` is
   * the counter's whole key (`address:…`, `user:` + the user's id …).
   */
  attemptRefused(key: string): void;
  /** A send window `counters.countInWindow` counted, with its count now (which may be past the service's limit). */
  windowCounted(key: string, count: number): void;
}
