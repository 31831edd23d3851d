import { sql, type Kysely } from "kysely";
import type { MethodType } from "../../domain/model.js";
import type { AccountUsersQuery, DirectoryEntry } from "../ports/accounts.js";
import type { Database } from "../schema.js";
import { toUser } from "../rows.js";

/**
 * A1: the account's user list, kept fast at a million users by the indexes of
 * migration 0008. A page walks users(account_id, email) from the cursor and
 * stops after `limit` rows (keyset, never OFFSET); "has 2FA" is a probe of
 * methods(user_id, status); the page's methods and last logins are two more
 * statements over just the page's ids.
 */

/** LIKE with the pattern's own wildcards escaped: a search for "a_b" means those three characters. */
const likePrefix = (value: string) => `${value.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

export async function listAccountUsers(db: Kysely<Database>, query: AccountUsersQuery): Promise<DirectoryEntry[]> {
  let select = db.selectFrom("users").selectAll("users").where("users.account_id", "=", query.accountId);
  if (query.afterEmail) select = select.where("users.email", ">", query.afterEmail);
  if (query.search) {
    const pattern = likePrefix(query.search);
    // The email test is a range first (an index range within the account), then LIKE for exactness.
    select = select.where((eb) =>
      eb.or([
        eb.and([eb("users.email", ">=", query.search!), sql<boolean>`users.email like ${pattern} escape '\\'`]),
        sql<boolean>`lower(users.display_name) like ${pattern} escape '\\'`,
      ]),
    );
  }
  if (query.withoutTwoFactor) {
    select = select.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("methods").select(sql`1`.as("one")).whereRef("methods.user_id", "=", "users.id").where("methods.status", "=", "active"))),
    );
  }
  const rows = await select.orderBy("users.email").limit(query.limit).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [methods, logins] = await Promise.all([
    db.selectFrom("methods").select(["user_id", "type"]).where("user_id", "in", ids).where("status", "=", "active").execute(),
    db.selectFrom("sessions").select(["user_id", (eb) => eb.fn.max("created_at").as("last")]).where("user_id", "in", ids).groupBy("user_id").execute(),
  ]);
  const typesOf = new Map<string, Set<MethodType>>();
  for (const method of methods) {
    const types = typesOf.get(method.user_id) ?? new Set<MethodType>();
    types.add(method.type as MethodType);
    typesOf.set(method.user_id, types);
  }
  const lastOf = new Map(logins.map((login) => [login.user_id, login.last === null ? null : Number(login.last)]));
  return rows.map((row) => ({
    user: toUser(row),
    methodTypes: [...(typesOf.get(row.id) ?? [])].sort(),
    lastLoginAt: lastOf.get(row.id) ?? null,
  }));
}

/**
 * Coverage of the whole account ("7 of 9 users have 2FA"). The total is an
 * index-only count on users(account_id, …); the covered count probes
 * methods(user_id, status) once per user of the account, never reading a
 * methods row itself.
 */
export async function countAccountUsers(db: Kysely<Database>, accountId: string): Promise<{ total: number; withTwoFactor: number }> {
  const row = await db
    .selectFrom("users")
    .select((eb) => [
      eb.fn.countAll().as("total"),
      eb.fn
        .count(
          eb
            .case()
            .when(eb.exists(eb.selectFrom("methods").select(sql`1`.as("one")).whereRef("methods.user_id", "=", "users.id").where("methods.status", "=", "active")))
            .then(1)
            .end(),
        )
        .as("covered"),
    ])
    .where("users.account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), withTwoFactor: Number(row.covered) };
}
