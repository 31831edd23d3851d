import { sql, type Kysely } from "kysely";
import type { Method } from "../../domain/model.js";
import type { Database } from "../schema.js";
import { fromMethod, toMethod } from "../rows.js";
import { prepare } from "./prepared.js";
import { inTransaction, lockedInTransaction } from "./transaction.js";

/** A user's second-factor methods. Activation, the default switch and the TOTP step claim are conditional writes. */

/** Built once (prepared.ts): every right password reads the user's methods. */
const selectMethods = prepare<Database["methods"]>((db, slot) => db.selectFrom("methods").selectAll().where("user_id", "=", slot(0)).orderBy("created_at"));

export async function listMethods(db: Kysely<Database>, userId: string): Promise<Method[]> {
  return (await selectMethods(db, userId)).rows.map(toMethod);
}

export async function findMethod(db: Kysely<Database>, id: string): Promise<Method | undefined> {
  const row = await db.selectFrom("methods").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toMethod(row);
}

export async function insertMethod(db: Kysely<Database>, method: Method): Promise<void> {
  await db.insertInto("methods").values(fromMethod(method)).execute();
}

export async function activateMethod(db: Kysely<Database>, id: string, step: number | null, now: number): Promise<boolean> {
  return inTransaction(db, async (db) => {
    const owner = await db.selectFrom("methods").select("user_id").where("id", "=", id).executeTakeFirst();
    if (!owner) return false;
    // The user's methods are locked first, all in one order: this write and the default switch
    // below touch several of them, and two activations taking their rows in different orders
    // would deadlock on PostgreSQL.
    await lockUserMethods(db, owner.user_id);
    // Conditional on still pending and not expired: a second confirm of the same setup gets false.
    // Atomic under READ COMMITTED: a racing confirm waits on the row lock, then re-evaluates the
    // WHERE on the row as the winner left it (status active) and updates 0 rows.
    const activated = await db
      .updateTable("methods")
      .set({ status: "active", confirmed_at: now, last_used_step: step, last_used_at: now, pending_expires_at: null, is_default: 1 })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .where("pending_expires_at", ">", now)
      .returning(["user_id", "replaces_method_id"])
      .executeTakeFirst();
    if (!activated) return false;
    // M3: the most recently enabled method becomes the default.
    await db.updateTable("methods").set({ is_default: 0 }).where("user_id", "=", activated.user_id).where("id", "!=", id).execute();
    // M4: a reset's old method works until this moment, and dies now.
    if (activated.replaces_method_id) await db.deleteFrom("methods").where("id", "=", activated.replaces_method_id).execute();
    return true;
  });
}

/** Locks every method row of a user, in id order (PostgreSQL; see lockedInTransaction). */
async function lockUserMethods(db: Kysely<Database>, userId: string): Promise<void> {
  await lockedInTransaction(db, db.selectFrom("methods").select("id").where("user_id", "=", userId).orderBy("id")).execute();
}

export async function claimSignatureCounter(db: Kysely<Database>, methodId: string, counter: number, now: number): Promise<boolean> {
  // One conditional UPDATE, like the TOTP step: a counter moves on once; an authenticator that
  // keeps none (0) passes while the stored one is 0 too, and its replays are stopped by the
  // single-use challenge instead.
  const result = await db
    .updateTable("methods")
    .set({ last_used_step: counter, last_used_at: now })
    .where("id", "=", methodId)
    .where("status", "=", "active")
    .where((eb) =>
      counter === 0
        ? eb.or([eb("last_used_step", "is", null), eb("last_used_step", "=", 0)])
        : eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", counter)]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findMethodByCredentialId(db: Kysely<Database>, credentialId: string): Promise<Method | undefined> {
  const row = await db.selectFrom("methods").selectAll().where("credential_id", "=", credentialId).executeTakeFirst();
  return row && toMethod(row);
}

export async function claimTotpStep(db: Kysely<Database>, methodId: string, step: number, now: number): Promise<boolean> {
  // One conditional UPDATE: of two requests with the same code, only one sees a row change.
  // Under READ COMMITTED the second updater waits on the row lock, re-evaluates the WHERE on the
  // new row version (last_used_step is now this step, not below it) and updates 0 rows.
  const result = await updateTotpStep(db, methodId, step, now);
  return result.numAffectedRows === 1n;
}

const updateTotpStep = prepare((db, slot) =>
  db
    .updateTable("methods")
    .set({ last_used_step: sql`cast(${slot(1)} as bigint)`, last_used_at: sql`cast(${slot(2)} as bigint)` })
    .where("id", "=", slot(0))
    .where("status", "=", "active")
    .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", sql<number>`cast(${slot(1)} as bigint)`)])),
);

export async function deleteMethod(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom("methods").where("id", "=", id).execute();
}

export async function renameMethod(db: Kysely<Database>, id: string, name: string): Promise<void> {
  await db.updateTable("methods").set({ name }).where("id", "=", id).execute();
}

export async function markMethodUsed(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable("methods").set({ last_used_at: now }).where("id", "=", id).execute();
}

export async function setDefaultMethod(db: Kysely<Database>, userId: string, methodId: string): Promise<boolean> {
  return inTransaction(db, async (db) => {
    // Two writes over the user's methods: lock them first, in one order (no deadlock on PostgreSQL).
    await lockUserMethods(db, userId);
    const target = await db
      .updateTable("methods")
      .set({ is_default: 1 })
      .where("id", "=", methodId)
      .where("user_id", "=", userId)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (target.numUpdatedRows !== 1n) return false;
    await db.updateTable("methods").set({ is_default: 0 }).where("user_id", "=", userId).where("id", "!=", methodId).execute();
    return true;
  });
}

export async function deletePendingMethods(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom("methods").where("user_id", "=", userId).where("status", "=", "pending").execute();
}

export async function deleteAllMethods(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom("methods").where("user_id", "=", userId).execute();
}
