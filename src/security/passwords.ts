import argon2 from "argon2";
import { unlimitedHashing, type HashLimiter } from "./hash-limiter.js";

/** argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane) unless configured higher. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant work whether or not a user exists: pass `null` to verify against a dummy hash (L1). */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

/**
 * Every hash and verify, the dummy one included, runs through `limiter` (hash-limiter.ts): at
 * most its concurrency at once, the rest queued, a HashQueueTimeoutError when the queue is too slow.
 * A known and an unknown user both make one limited verify, so both wait alike (L1).
 */
export function createPasswordHasher(options: { memoryKib: number; iterations: number; parallelism: number }, limiter: HashLimiter = unlimitedHashing): PasswordHasher {
  const parameters = { type: argon2.argon2id, memoryCost: options.memoryKib, timeCost: options.iterations, parallelism: options.parallelism };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => limiter.run(() => argon2.hash(password, parameters)),
    async verify(passwordHash, password) {
      if (!dummy) {
        // Made once per process, at the first verify whoever it is for (a failed or timed-out one is made again next time).
        dummy = limiter.run(() => argon2.hash("twostep-dummy-password", parameters));
        dummy.catch(() => {
          dummy = undefined;
        });
      }
      const target = passwordHash ?? (await dummy!);
      const matches = await limiter.run(() => argon2.verify(target, password));
      return passwordHash !== null && matches;
    },
  };
}
