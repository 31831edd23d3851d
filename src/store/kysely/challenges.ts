import type { Kysely } from "kysely";
import type { IssuedChallenge } from "../ports/challenges.js";
import type { ProofPurpose } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { inTransaction } from "./transaction.js";

/** WebAuthn challenges by hash: a new one retires the binding's unused ones; consumed by one conditional UPDATE. */

export async function replaceChallenge(db: Kysely<Database>, challenge: IssuedChallenge): Promise<void> {
  await inTransaction(db, async (db) => {
    await db
      .deleteFrom("webauthn_challenges")
      .where("user_id", "=", challenge.userId)
      .where((eb) => eb.or([eb.and([eb("purpose", "=", challenge.purpose), eb("binding_id", "=", challenge.bindingId)]), eb("expires_at", "<=", challenge.createdAt)]))
      .execute();
    await db
      .insertInto("webauthn_challenges")
      .values({
        id: challenge.id,
        user_id: challenge.userId,
        purpose: challenge.purpose,
        binding_id: challenge.bindingId,
        challenge_hash: challenge.challengeHash,
        created_at: challenge.createdAt,
        expires_at: challenge.expiresAt,
        used_at: null,
      })
      .execute();
  });
}

export async function consumeChallenge(db: Kysely<Database>, input: { userId: string; purpose: ProofPurpose; bindingId: string; challengeHash: string }, now: number): Promise<boolean> {
  // Atomic under READ COMMITTED: a racing consumer waits on the row lock, re-reads used_at and updates 0 rows.
  const result = await db
    .updateTable("webauthn_challenges")
    .set({ used_at: now })
    .where("user_id", "=", input.userId)
    .where("purpose", "=", input.purpose)
    .where("binding_id", "=", input.bindingId)
    .where("challenge_hash", "=", input.challengeHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deleteStaleChallenges(db: Kysely<Database>, userId: string, now: number): Promise<number> {
  const result = await db
    .deleteFrom("webauthn_challenges")
    .where("user_id", "=", userId)
    .where((eb) => eb.or([eb("used_at", "is not", null), eb("expires_at", "<=", now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
