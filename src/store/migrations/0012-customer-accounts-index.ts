import type { Kysely } from "kysely";

/**
 * A3: the storefront manager lists a reseller's customer accounts by name
 * (keyset pagination: `parent_id = ? and name > ? order by name`); without
 * this index every page would scan every account of every reseller.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("accounts_parent_name").on("accounts").columns(["parent_id", "name"]).execute();
}
