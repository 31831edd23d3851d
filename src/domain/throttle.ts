/**
 * Brute-force limits (SECURITY 7–11). Every second-factor attempt is counted
 * *before* it is verified, so parallel requests cannot slip past the limit
 * (the "AuthQuake" race); success clears the user's counter.
 */
export interface ThrottlePolicy {
  /** Failures allowed before the first lock. */
  freeFailures: number;
  /** The first lock; each further failure doubles it. */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

/** Per user: 5 free failures, then 1, 2, 4 … minutes, at most one hour. */
export const defaultUserThrottle: ThrottlePolicy = { freeFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600 };
/** Per client address: looser, so one office behind NAT is not locked out by one person. */
export const defaultAddressThrottle: ThrottlePolicy = { freeFailures: 30, baseLockSeconds: 60, maxLockSeconds: 3600 };

/**
 * Per account, on the password step (NIST SP 800-63B 5.2.2): 10 free wrong passwords,
 * then a delay of 30 s, 1, 2, 4, 8 minutes, at most 15 minutes per further failure. A delay,
 * never a lockout: it only slows a stranger, and a browser that has completed a login for
 * the user skips it (its own counter instead), so nobody can keep the user out.
 */
export const defaultAccountPasswordThrottle: ThrottlePolicy = { freeFailures: 10, baseLockSeconds: 30, maxLockSeconds: 900 };

/** Seconds to lock for once `failures` attempts have been counted (0 = no lock). */
export function lockSecondsAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  const doublings = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.baseLockSeconds * 2 ** doublings, policy.maxLockSeconds);
}

/**
 * The schedule as (failure count → lock seconds) rows up to where it reaches the cap,
 * so the store can apply it inside a single conditional UPDATE on any SQL database.
 */
export function lockSchedule(policy: ThrottlePolicy): { failures: number; lockSeconds: number }[] {
  const rows: { failures: number; lockSeconds: number }[] = [];
  for (let failures = policy.freeFailures; ; failures++) {
    const lockSeconds = lockSecondsAfter(failures, policy);
    rows.push({ failures, lockSeconds });
    if (lockSeconds >= policy.maxLockSeconds) return rows;
  }
}

/** Most attempts one user's counter allows in `seconds` when an attacker waits out every lock. */
export function maxAttemptsWithin(seconds: number, policy: ThrottlePolicy): number {
  let attempts = 0;
  let elapsed = 0;
  while (elapsed <= seconds) {
    attempts++;
    elapsed += lockSecondsAfter(attempts, policy);
  }
  return attempts;
}

/** SECURITY 11: success ≈ attempts × codes accepted at once / 10^digits. */
export function attackerSuccessProbability(attempts: number, acceptedCodes: number, digits = 6): number {
  return (attempts * acceptedCodes) / 10 ** digits;
}
