import argon2 from "argon2";

/** argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane) unless configured higher. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant work whether or not a user exists: pass `null` to verify against a dummy hash (L1). */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

export function createPasswordHasher(options: { memoryKib: number; iterations: number; parallelism: number }): PasswordHasher {
  const parameters = { type: argon2.argon2id, memoryCost: options.memoryKib, timeCost: options.iterations, parallelism: options.parallelism };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => argon2.hash(password, parameters),
    async verify(passwordHash, password) {
      dummy ??= argon2.hash("twostep-dummy-password", parameters);
      const target = passwordHash ?? (await dummy);
      const matches = await argon2.verify(target, password);
      return passwordHash !== null && matches;
    },
  };
}
