import { PostgresAdapter, sql, type Kysely } from "kysely";

/**
 * A1 at a million users, second step (0008 gave the indexes):
 *
 * - `users.active_methods`: how many active 2FA methods the user has, kept by
 *   triggers on `methods`, so "has 2FA" is a column and "without 2FA" is an
 *   index range, never a probe per user.
 * - `account_user_counts(account_id, total, with_two_factor)`: the coverage line
 *   ("7 of 9 users have 2FA") is one row read, however big the account. Kept by
 *   triggers on `users` (insert, delete, account move) and on `methods` (a
 *   user's first active method, their last one going); every account gets its
 *   row when it is inserted. Triggers, not application code: every path that
 *   adds, activates, deletes or disables a method (enrolment, delete, support
 *   reset, storefront disable, recovery-code login) keeps the counts in the
 *   same transaction without having to remember to. On PostgreSQL the per-user
 *   count is an UPDATE … RETURNING, which locks the user's row: two enrolments
 *   of the same user at once count once, in either order.
 * - `users.search_name`: the display name lower-cased by the application (full
 *   Unicode, not SQLite's ASCII-only lower()), indexed with the account and
 *   email, so a display-name prefix search is an index range.
 * - On PostgreSQL `email` and `search_name` compare bytewise (`collate "C"`),
 *   whatever the database's locale: a prefix is then one contiguous index range,
 *   and pages come in the same order as on SQLite.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const text = postgres ? sql`text collate "C"` : sql`text`;
  await db.schema.alterTable("users").addColumn("active_methods", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("search_name", text, (c) => c.notNull().defaultTo("")).execute();
  await sql`update users set search_name = lower(display_name),
    active_methods = (select count(*) from methods where methods.user_id = users.id and methods.status = 'active')`.execute(db);
  if (postgres) await sql`alter table users alter column email type text collate "C"`.execute(db);
  await db.schema.createIndex("users_account_search_name").on("users").columns(["account_id", "search_name", "email"]).execute();
  await db.schema.createIndex("users_account_covered_email").on("users").columns(["account_id", "active_methods", "email"]).execute();

  await db.schema
    .createTable("account_user_counts")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id"))
    .addColumn("total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("with_two_factor", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into account_user_counts (account_id, total, with_two_factor)
    select accounts.id,
      (select count(*) from users where users.account_id = accounts.id),
      (select count(*) from users where users.account_id = accounts.id and users.active_methods > 0)
    from accounts`.execute(db);

  for (const statement of postgres ? postgresTriggers : sqliteTriggers) await sql.raw(statement).execute(db);
}

/** What each trigger does, in both dialects' words. */
const bump = {
  accountRow: "insert into account_user_counts (account_id) values (new.id)",
  userIn: (account: string) => `update account_user_counts set total = total + 1, with_two_factor = with_two_factor + (case when new.active_methods > 0 then 1 else 0 end) where account_id = ${account}`,
  userOut: (account: string) => `update account_user_counts set total = total - 1, with_two_factor = with_two_factor - (case when old.active_methods > 0 then 1 else 0 end) where account_id = ${account}`,
};

const sqliteTriggers = [
  `create trigger accounts_count_row after insert on accounts begin ${bump.accountRow}; end`,
  `create trigger users_count_insert after insert on users begin ${bump.userIn("new.account_id")}; end`,
  `create trigger users_count_delete after delete on users begin ${bump.userOut("old.account_id")}; end`,
  `create trigger users_count_move after update of account_id on users when old.account_id <> new.account_id begin
     ${bump.userOut("old.account_id")}; ${bump.userIn("new.account_id")}; end`,
  // The account's covered count follows the user's flag: 0 → 1 and 1 → 0 are the only changes that matter.
  `create trigger users_count_covered after update of active_methods on users
     when (old.active_methods > 0) <> (new.active_methods > 0) and old.account_id = new.account_id begin
     update account_user_counts set with_two_factor = with_two_factor + (case when new.active_methods > 0 then 1 else -1 end) where account_id = new.account_id; end`,
  `create trigger methods_count_insert after insert on methods when new.status = 'active' begin
     update users set active_methods = active_methods + 1 where id = new.user_id; end`,
  `create trigger methods_count_delete after delete on methods when old.status = 'active' begin
     update users set active_methods = active_methods - 1 where id = old.user_id; end`,
  `create trigger methods_count_status after update of status, user_id on methods
     when (old.status = 'active') <> (new.status = 'active') or old.user_id <> new.user_id begin
     update users set active_methods = active_methods - 1 where id = old.user_id and old.status = 'active';
     update users set active_methods = active_methods + 1 where id = new.user_id and new.status = 'active'; end`,
];

const postgresTriggers = [
  `create function twostep_accounts_count_row() returns trigger language plpgsql as $$
   begin ${bump.accountRow}; return null; end $$`,
  `create trigger accounts_count_row after insert on accounts for each row execute function twostep_accounts_count_row()`,
  `create function twostep_users_count() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then ${bump.userIn("new.account_id")};
     elsif tg_op = 'DELETE' then ${bump.userOut("old.account_id")};
     elsif old.account_id <> new.account_id then ${bump.userOut("old.account_id")}; ${bump.userIn("new.account_id")};
     elsif (old.active_methods > 0) <> (new.active_methods > 0) then
       update account_user_counts set with_two_factor = with_two_factor + (case when new.active_methods > 0 then 1 else -1 end) where account_id = new.account_id;
     end if;
     return null;
   end $$`,
  `create trigger users_count after insert or delete or update of account_id, active_methods on users for each row execute function twostep_users_count()`,
  `create function twostep_methods_count() returns trigger language plpgsql as $$
   begin
     if tg_op in ('DELETE', 'UPDATE') and old.status = 'active' then
       update users set active_methods = active_methods - 1 where id = old.user_id;
     end if;
     if tg_op in ('INSERT', 'UPDATE') and new.status = 'active' then
       update users set active_methods = active_methods + 1 where id = new.user_id;
     end if;
     return null;
   end $$`,
  `create trigger methods_count_insert_delete after insert or delete on methods for each row execute function twostep_methods_count()`,
  `create trigger methods_count_status after update of status, user_id on methods for each row
     when ((old.status = 'active') is distinct from (new.status = 'active') or old.user_id is distinct from new.user_id)
     execute function twostep_methods_count()`,
];
