import { sql, type Kysely } from "kysely";
import { isPostgres } from "../dialect.js";

/**
 * Issue 6: the event log lists events in the order the database took them,
 * from one sequence that every instance shares (`seq`), instead of ids made
 * from each process's clock and counter (two instances would interleave
 * wrongly). The table is rebuilt with `seq` as its key; the old rows are
 * numbered in their old order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("events_new")
    .addColumn("seq", isPostgres(db) ? "bigint" : "integer", (c) =>
      isPostgres(db) ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("subject_user_id", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("client_address", "text")
    .addColumn("user_agent", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  const columns = sql.raw("id, account_id, actor_user_id, subject_user_id, type, detail, client_address, user_agent, created_at");
  await sql`insert into events_new (${columns}) select ${columns} from events order by created_at, id`.execute(db);
  await db.schema.dropTable("events").execute();
  await db.schema.alterTable("events_new").renameTo("events").execute();
  // The lists read one user's or one account's newest events first.
  await db.schema.createIndex("events_subject_seq").on("events").columns(["subject_user_id", "seq"]).execute();
  await db.schema.createIndex("events_account_seq").on("events").columns(["account_id", "seq"]).execute();
}
