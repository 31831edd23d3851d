import type { Kysely } from "kysely";
import type { SmsCode, ProofPurpose } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { toSmsCode } from "../rows.js";
import { inTransaction, lockedInTransaction } from "./transaction.js";

/** Recovery codes and SMS codes: stored as hashes, consumed with conditional writes (single use even when raced). */

export async function replaceRecoveryCodes(db: Kysely<Database>, userId: string, salt: string, codes: { id: string; codeHash: string }[], now: number): Promise<void> {
  await inTransaction(db, async (db) => {
    await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await db.deleteFrom("recovery_code_sets").where("user_id", "=", userId).execute();
    await db.insertInto("recovery_code_sets").values({ user_id: userId, salt, created_at: now }).execute();
    await db
      .insertInto("recovery_codes")
      .values(codes.map((code) => ({ id: code.id, user_id: userId, code_hash: code.codeHash, used_at: null })))
      .execute();
  });
}

export async function findRecoveryCodes(db: Kysely<Database>, userId: string) {
  const set = await db.selectFrom("recovery_code_sets").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (!set) return undefined;
  const rows = await db.selectFrom("recovery_codes").selectAll().where("user_id", "=", userId).execute();
  return {
    salt: set.salt,
    codes: rows.map((row) => ({ id: row.id, userId: row.user_id, codeHash: row.code_hash, usedAt: row.used_at === null ? null : Number(row.used_at) })),
  };
}

export async function consumeRecoveryCode(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  // Conditional write: two racing requests with one code give one success (R2). Under READ
  // COMMITTED the second updater waits on the row lock, re-evaluates `used_at IS NULL` on the new
  // row version and updates 0 rows.
  const result = await db.updateTable("recovery_codes").set({ used_at: now }).where("id", "=", id).where("used_at", "is", null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deleteRecoveryCodes(db: Kysely<Database>, userId: string): Promise<void> {
  await inTransaction(db, async (db) => {
    await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await db.deleteFrom("recovery_code_sets").where("user_id", "=", userId).execute();
  });
}

export async function replaceSmsCode(db: Kysely<Database>, code: SmsCode, now: number): Promise<void> {
  await inTransaction(db, async (db) => {
    // Two sends at once would each retire the codes they can see and each insert one: under READ
    // COMMITTED neither sees the other's new code, and two would stay usable. Locking the method
    // row first makes the second send wait; its retiring UPDATE then runs on a fresh snapshot
    // that holds the first send's code, and retires it (SECURITY 24: a resend replaces).
    await lockedInTransaction(db, db.selectFrom("methods").select("id").where("id", "=", code.methodId)).execute();
    await db
      .updateTable("sms_codes")
      .set({ used_at: now })
      .where("method_id", "=", code.methodId)
      .where("purpose", "=", code.purpose)
      .where("binding_id", "=", code.bindingId)
      .where("used_at", "is", null)
      .execute();
    await db
      .insertInto("sms_codes")
      .values({
        id: code.id,
        user_id: code.userId,
        method_id: code.methodId,
        purpose: code.purpose,
        binding_id: code.bindingId,
        code_hash: code.codeHash,
        created_at: code.createdAt,
        expires_at: code.expiresAt,
        used_at: null,
      })
      .execute();
  });
}

export async function findLatestSmsCode(db: Kysely<Database>, methodId: string, purpose: ProofPurpose, bindingId: string): Promise<SmsCode | undefined> {
  const row = await db
    .selectFrom("sms_codes")
    .selectAll()
    .where("method_id", "=", methodId)
    .where("purpose", "=", purpose)
    .where("binding_id", "=", bindingId)
    .where("used_at", "is", null)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  return row && toSmsCode(row);
}

export async function consumeSmsCode(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  // Conditional write: one success per code, none after expiry. Under READ COMMITTED the second
  // updater waits on the row lock, re-evaluates `used_at IS NULL` on the new row version and
  // updates 0 rows.
  const result = await db
    .updateTable("sms_codes")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
