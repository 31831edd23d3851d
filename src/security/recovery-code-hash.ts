import argon2 from "argon2";
import { timingSafeEqual } from "node:crypto";
import { unlimitedHashing, type HashLimiter } from "./hash-limiter.js";

/**
 * Recovery codes have 80 bits, below the 112 bits where a fast hash would do,
 * so they get a salted slow hash (SECURITY 14): argon2id, raw output. All codes
 * of one set share a salt, so checking a submitted code costs one hash, and the
 * result is compared in constant time with every unused code of *that user*
 * (SECURITY 22) rather than with `includes()` or `===`.
 */
export interface RecoveryCodeHasher {
  hash(code: string, salt: Buffer): Promise<string>;
}

/** Each hash runs through `limiter`, the password hasher's (hash-limiter.ts): a set of ten codes waits its turn too. */
export function createRecoveryCodeHasher(options: { memoryKib: number; iterations: number }, limiter: HashLimiter = unlimitedHashing): RecoveryCodeHasher {
  return {
    async hash(code, salt) {
      const raw = await limiter.run(() => argon2.hash(code, {
        type: argon2.argon2id,
        memoryCost: options.memoryKib,
        timeCost: options.iterations,
        parallelism: 1,
        salt,
        raw: true,
      }));
      return raw.toString("base64");
    },
  };
}

/** Index of the first hash equal to `candidate`, visiting every entry so timing says nothing. */
export function findHashIndex(candidate: string, hashes: string[]): number {
  const wanted = Buffer.from(candidate, "base64");
  let found = -1;
  hashes.forEach((hash, index) => {
    const stored = Buffer.from(hash, "base64");
    if (stored.length === wanted.length && timingSafeEqual(stored, wanted) && found === -1) found = index;
  });
  return found;
}
