import { HashQueueTimeoutError } from "../security/hash-limiter.js";

/**
 * The failure catalogue as the services return it (`Result<T>`, `Failure`,
 * catalogue codes and their messages and statuses), for the surfaces that turn
 * a failure into a page or a JSON error. The catalogue itself is the domain's
 * (`domain/errors.ts`).
 */
export { errorCatalogue, errorMessage, errorStatus, fail, isErrorCode, ok, type ErrorCode, type Failure, type Outcome, type Result } from "../domain/errors.js";

/**
 * Too many argon2id computations at once (security/hash-limiter.ts): the request waited its
 * queue time and nothing was hashed, verified or changed. The surfaces answer `server_busy`
 * (503) with Retry-After.
 */
export function serverBusyOf(error: unknown): { retryAfterSeconds: number } | null {
  return error instanceof HashQueueTimeoutError ? { retryAfterSeconds: error.retryAfterSeconds } : null;
}

/** Runs `work`; when it fails for want of a hashing place, runs `giveBack` (refund what was counted) and rethrows. */
export async function givingBackWhenBusy<T>(work: () => Promise<T>, giveBack: () => Promise<void>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (serverBusyOf(error)) await giveBack();
    throw error;
  }
}
