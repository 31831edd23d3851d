import { sql, type Kysely } from "kysely";
import type { MethodType } from "../../domain/model.js";
import type { CustomerAccountRow, CustomerUserRow } from "../ports/customers.js";
import type { Database } from "../schema.js";
import { toAccount, toUser } from "../rows.js";

/** A3: a reseller's customers. Portable SQL: subquery counts, LIKE with an explicit escape character. */

/** `%`, `_` and the escape itself typed in a search are matched literally, never as wildcards. */
function likePrefix(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export async function listCustomerAccounts(
  db: Kysely<Database>,
  resellerId: string,
  options: { afterName?: string | null; namePrefix?: string | null; limit: number },
): Promise<CustomerAccountRow[]> {
  let query = db
    .selectFrom("accounts as a")
    .selectAll("a")
    .select((eb) => [
      eb.selectFrom("users as u").whereRef("u.account_id", "=", "a.id").select((inner) => inner.fn.countAll<number>().as("n")).as("user_count"),
      eb
        .selectFrom("users as u")
        .whereRef("u.account_id", "=", "a.id")
        .where((inner) => inner.exists(inner.selectFrom("methods as m").select("m.id").whereRef("m.user_id", "=", "u.id").where("m.status", "=", "active")))
        .select((inner) => inner.fn.countAll<number>().as("n"))
        .as("protected_count"),
    ])
    .where("a.parent_id", "=", resellerId)
    .where("a.kind", "=", "customer");
  if (options.afterName) query = query.where("a.name", ">", options.afterName);
  if (options.namePrefix) query = query.where(sql<boolean>`lower(a.name) like ${likePrefix(options.namePrefix)} escape '\\'`);
  const rows = await query.orderBy("a.name").limit(options.limit).execute();
  return rows.map((row) => ({ account: toAccount(row), users: Number(row.user_count ?? 0), usersWithTwoFactor: Number(row.protected_count ?? 0) }));
}

export async function listAccountUsersWithMethods(db: Kysely<Database>, accountId: string): Promise<CustomerUserRow[]> {
  const users = await db.selectFrom("users").selectAll().where("account_id", "=", accountId).orderBy("email").execute();
  if (users.length === 0) return [];
  const methods = await db
    .selectFrom("methods")
    .select(["user_id", "type"])
    .where("status", "=", "active")
    .where(
      "user_id",
      "in",
      users.map((user) => user.id),
    )
    .orderBy("created_at")
    .execute();
  return users.map((row) => ({ user: toUser(row), activeMethodTypes: methods.filter((method) => method.user_id === row.id).map((method) => method.type as MethodType) }));
}
