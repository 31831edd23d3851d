import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from "kysely";
import type { MethodType } from "../../domain/model.js";
import type { AccountUsersQuery, DirectoryEntry } from "../ports/accounts.js";
import type { Database } from "../schema.js";
import { toUser, type UserRow } from "../rows.js";
import { searchName } from "./accounts.js";

/**
 * A1: the account's user list, kept fast at a million users by the indexes of
 * migrations 0008 and 0014. A page walks users(account_id, email) from the
 * cursor and stops after `limit` rows (keyset, never OFFSET); "without 2FA" is
 * the range active_methods = 0 of users(account_id, active_methods, email);
 * the page's methods and last logins are two more statements over just the
 * page's ids. A search is an email prefix (a range of the email index) or a
 * display-name prefix (a range of users(account_id, search_name, email)): when
 * the names match few users (at most `sparseNames`) both ranges are read and
 * merged in email order; when they match many, matches are dense and the walk
 * in email order finds a page after a few rows.
 */

/** Every string that starts with `prefix` lies in [prefix, prefix + this) in byte order. */
export const highest = "\u{10FFFF}";
const sparseNames = 2000;

export async function listAccountUsers(db: Kysely<Database>, query: AccountUsersQuery): Promise<DirectoryEntry[]> {
  const scope = <Row,>(select: SelectQueryBuilder<Database, "users", Row>) => {
    let scoped = select.where("users.account_id", "=", query.accountId);
    if (query.afterEmail) scoped = scoped.where("users.email", ">", query.afterEmail);
    if (query.withoutTwoFactor) scoped = scoped.where("users.active_methods", "=", 0);
    return scoped;
  };
  const users = db.selectFrom("users");
  let rows: UserRow[];
  if (!query.search) {
    rows = await scope(users.selectAll("users")).orderBy("users.email").limit(query.limit).execute();
  } else {
    const prefix = searchName(query.search);
    const startsWith = (column: "users.email" | "users.search_name") => (eb: ExpressionBuilder<Database, "users">) =>
      eb.and([eb(column, ">=", prefix), eb(column, "<", prefix + highest)]);
    const names = await scope(users.select("users.email")).where(startsWith("users.search_name")).limit(sparseNames + 1).execute();
    if (names.length <= sparseNames) {
      const byEmail = await scope(users.select("users.email")).where(startsWith("users.email")).orderBy("users.email").limit(query.limit).execute();
      const emails = [...new Set([...byEmail, ...names].map((row) => row.email))].sort(byteOrder).slice(0, query.limit);
      rows = emails.length === 0 ? [] : await users.selectAll().where("account_id", "=", query.accountId).where("email", "in", emails).orderBy("email").execute();
    } else {
      rows = await scope(users.selectAll("users"))
        .where((eb) => eb.or([startsWith("users.email")(eb), startsWith("users.search_name")(eb)]))
        .orderBy("users.email")
        .limit(query.limit)
        .execute();
    }
  }
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

/** Coverage of the whole account ("7 of 9 users have 2FA"): one row, kept by the triggers of migration 0014. */
export async function countAccountUsers(db: Kysely<Database>, accountId: string): Promise<{ total: number; withTwoFactor: number }> {
  const row = await db.selectFrom("account_user_counts").select(["total", "with_two_factor"]).where("account_id", "=", accountId).executeTakeFirst();
  return { total: Number(row?.total ?? 0), withTwoFactor: Number(row?.with_two_factor ?? 0) };
}

/** The order both databases sort emails in (bytes of UTF-8; code points for these strings). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
