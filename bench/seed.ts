/**
 * Seeds the benchmark database through the real Store: one account, N users
 * (all sharing ONE precomputed argon2id hash: argon2 is not what is measured),
 * each with an active TOTP method whose key we keep and a pending login flow
 * whose token we keep, exactly as startLogin would have left it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Config } from "../src/config.js";
import type { LoginFlow, Method, User } from "../src/domain/model.js";
import { createPasswordHasher } from "../src/security/passwords.js";
import { createSecretBox, decodeEncryptionKey } from "../src/security/secret-box.js";
import { createToken, hashToken } from "../src/security/tokens.js";
import { createKyselyStore } from "../src/store/kysely-store.js";
import { migrateToLatest } from "../src/store/migrate.js";
import type { Database } from "../src/store/schema.js";

/** Every seeded user's password (one argon2id hash at the configured parameters, shared). */
export const benchPassword = "bench password, never typed";

export interface SeededLogin {
  flowToken: string;
  key: Buffer;
}

/** Seeds `db` (SQLite or PostgreSQL, migrated here); the caller opens and closes it. Emails are bench-<index>@example.test. */
export async function seedDatabase(config: Config, db: Kysely<Database>, input: { users: number; sharedKeyUsers: number; sharedKey: Buffer }) {
  await migrateToLatest(db);
  const store = createKyselyStore(db);
  const secretBox = createSecretBox(decodeEncryptionKey(config.encryptionKeyId, config.encryptionKey!));
  const passwordHash = await createPasswordHasher(config.argon2).hash(benchPassword);
  const now = Date.now();
  const accountId = randomUUID();
  await store.accounts.insertAccount({ id: accountId, kind: "reseller", name: "bench reseller", parentId: null, createdAt: now });

  const logins: SeededLogin[] = [];
  const batch = 1000;
  for (let start = 0; start < input.users; start += batch) {
    await store.transaction(async (trx) => {
      for (let i = start; i < Math.min(start + batch, input.users); i++) {
        const user: User = {
          id: randomUUID(),
          accountId,
          email: `bench-${i}@example.test`,
          displayName: `bench ${i}`,
          role: "member",
          passwordHash,
          active: true,
          createdAt: now,
        };
        await trx.accounts.insertUser(user);
        const key = i < input.sharedKeyUsers ? input.sharedKey : randomBytes(20);
        const methodId = randomUUID();
        const method: Method = {
          id: methodId,
          userId: user.id,
          type: "totp",
          name: "Authenticator app",
          status: "active",
          isDefault: true,
          secretCiphertext: secretBox.seal(key, methodId),
          lastUsedStep: null,
          replacesMethodId: null,
          createdAt: now,
          confirmedAt: now,
          lastUsedAt: null,
          pendingExpiresAt: null,
          displayHint: null,
        };
        await trx.methods.insertMethod(method);
        const flowToken = createToken();
        // Long enough for the whole run, whatever TWOSTEP_LOGIN_TTL_SECONDS says.
        const flow: LoginFlow = { id: randomUUID(), userId: user.id, state: "second_factor", methodId, createdAt: now, expiresAt: now + 3_600_000 };
        await trx.sessions.insertLoginFlow(flow, hashToken(flowToken));
        logins.push({ flowToken, key });
      }
    });
  }
  return { logins, password: benchPassword };
}
