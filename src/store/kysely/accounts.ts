import type { Kysely } from "kysely";
import type { Account, User } from "../../domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../../domain/policy.js";
import type { Database } from "../schema.js";
import { toAccount, toUser } from "../rows.js";
import { prepare } from "./prepared.js";

/** Accounts, users and policy layers. */

/** What a display-name search compares with: lower-cased here (full Unicode), not by the database. */
export const searchName = (displayName: string) => displayName.normalize("NFC").toLowerCase();

export async function insertAccount(db: Kysely<Database>, account: Account): Promise<void> {
  await db
    .insertInto("accounts")
    .values({ id: account.id, kind: account.kind, name: account.name, parent_id: account.parentId, created_at: account.createdAt })
    .execute();
}

export async function findAccountById(db: Kysely<Database>, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toAccount(row);
}

/** Built once (prepared.ts): every policy read starts here. */
const selectAccountLineage = prepare<Record<string, any>>((db, slot) =>
  db
    .selectFrom("accounts as a")
    .leftJoin("accounts as p", "p.id", "a.parent_id")
    .leftJoin("accounts as g", "g.id", "p.parent_id")
    .selectAll("a")
    .select(["p.id as lineage_parent_id", "g.id as lineage_grandparent_id"])
    .where("a.id", "=", slot(0)),
);

export async function findAccountLineage(db: Kysely<Database>, id: string): Promise<{ account: Account; parentId: string | null; grandparentId: string | null } | undefined> {
  const [row] = (await selectAccountLineage(db, id)).rows;
  return row && { account: toAccount(row as Database["accounts"]), parentId: row.lineage_parent_id ?? null, grandparentId: row.lineage_grandparent_id ?? null };
}

export async function findAccountByName(db: Kysely<Database>, name: string): Promise<Account | undefined> {
  const row = await db.selectFrom("accounts").selectAll().where("name", "=", name).executeTakeFirst();
  return row && toAccount(row);
}

export async function insertUser(db: Kysely<Database>, user: User): Promise<void> {
  await db
    .insertInto("users")
    .values({
      id: user.id,
      account_id: user.accountId,
      email: user.email,
      display_name: user.displayName,
      search_name: searchName(user.displayName),
      role: user.role,
      password_hash: user.passwordHash,
      active: user.active ? 1 : 0,
      created_at: user.createdAt,
    })
    .execute();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}

/** Built once (prepared.ts): every password step reads it. */
const selectUserByEmail = prepare<Database["users"]>((db, slot) => db.selectFrom("users").selectAll().where("email", "=", slot(0)));

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  const [row] = (await selectUserByEmail(db, email)).rows;
  return row && toUser(row);
}

export async function updatePasswordHash(db: Kysely<Database>, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
}

/**
 * The layers' read for 1, 2 or 3 keys (a user's policy: platform, reseller, customer), each built
 * once (prepared.ts); another count (none in the code today) is built per call.
 */
const selectPolicyLayers = [1, 2, 3].map((count) =>
  prepare<Database["policies"]>((db, slot) =>
    db
      .selectFrom("policies")
      .selectAll()
      .where((eb) => eb.or(Array.from({ length: count }, (_, index) => eb.and([eb("account_id", "=", slot(2 * index)), eb("audience", "=", slot(2 * index + 1))])))),
  ),
);

export async function findPolicyLayers(db: Kysely<Database>, keys: { accountId: string; audience: PolicyAudience }[]): Promise<PolicyLayer[]> {
  if (keys.length === 0) return [];
  const prepared = selectPolicyLayers[keys.length - 1];
  const rows = prepared
    ? (await prepared(db, ...keys.flatMap((key) => [key.accountId, key.audience]))).rows
    : await db
        .selectFrom("policies")
        .selectAll()
        .where((eb) => eb.or(keys.map((key) => eb.and([eb("account_id", "=", key.accountId), eb("audience", "=", key.audience)]))))
        .execute();
  const layers: PolicyLayer[] = [];
  for (const key of keys) {
    const row = rows.find((candidate) => candidate.account_id === key.accountId && candidate.audience === key.audience);
    if (!row) continue;
    layers.push({
      requireTwoFactorFrom: row.require_two_factor_from === null ? null : Number(row.require_two_factor_from),
      allowedMethods: row.allowed_methods === null ? null : (JSON.parse(row.allowed_methods) as PolicyLayer["allowedMethods"]),
      recoveryCodePolicy: row.recovery_code_policy as PolicyLayer["recoveryCodePolicy"],
      rotatePasswordOnDisable: row.rotate_password_on_disable === null ? null : Boolean(row.rotate_password_on_disable),
      rememberBrowserDays: row.remember_browser_days === null ? null : Number(row.remember_browser_days),
      newSignInEmail: row.new_sign_in_email === null ? null : Boolean(row.new_sign_in_email),
    });
  }
  return layers;
}

export async function savePolicyLayer(db: Kysely<Database>, accountId: string, audience: PolicyAudience, layer: PolicyLayer, now: number): Promise<void> {
  const values = {
    require_two_factor_from: layer.requireTwoFactorFrom,
    allowed_methods: layer.allowedMethods === null ? null : JSON.stringify(layer.allowedMethods),
    recovery_code_policy: layer.recoveryCodePolicy,
    rotate_password_on_disable: layer.rotatePasswordOnDisable === null ? null : layer.rotatePasswordOnDisable ? 1 : 0,
    remember_browser_days: layer.rememberBrowserDays,
    new_sign_in_email: layer.newSignInEmail === null ? null : layer.newSignInEmail ? 1 : 0,
    updated_at: now,
  };
  await db
    .insertInto("policies")
    .values({ account_id: accountId, audience, ...values })
    .onConflict((oc) => oc.columns(["account_id", "audience"]).doUpdateSet(values))
    .execute();
}

/** A1: deactivate (false) or reactivate (true) a user. */
export async function setUserActive(db: Kysely<Database>, userId: string, active: boolean): Promise<void> {
  await db.updateTable("users").set({ active: active ? 1 : 0 }).where("id", "=", userId).execute();
}
