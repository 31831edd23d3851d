import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import { sealedColumn, type SealedColumnName } from "../sealed-columns.js";
import type { SealedValue } from "../ports/sealed-values.js";

/**
 * Sealed values by key id. The key id is matched on the ciphertext's prefix
 * `v1.<keyId>.` with `substr(column, 1, n) = prefix`, which SQLite and
 * PostgreSQL both accept. Not LIKE: SQLite's LIKE ignores ASCII case, so
 * `K2` and `k2` (two valid, different key ids) would look alike, and the key
 * id's `_` would need escaping. Table and column names come only from the
 * fixed list in sealed-columns.ts, never from input.
 */

const prefixOf = (keyId: string) => `v1.${keyId}.`;

/** `substr(column, 1, length(prefix)) = prefix`: exact and case-sensitive on both engines. */
function underKey(column: string, keyId: string) {
  const prefix = prefixOf(keyId);
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${prefix.length}) = ${prefix}`;
}

export async function listSealedValues(
  db: Kysely<Database>,
  name: SealedColumnName,
  filter: { notUnderKeyIds: string[]; afterId: string | null; limit: number },
): Promise<SealedValue[]> {
  const spec = sealedColumn(name);
  // The names vary per sealed column, so the query is built on the untyped view of the schema.
  let query = (db as unknown as Kysely<Record<string, Record<string, string>>>)
    .selectFrom(spec.table)
    .select([sql.ref(spec.idColumn).as("id"), sql.ref(spec.column).as("ciphertext")])
    .where(sql.ref(spec.column), "is not", null);
  for (const keyId of filter.notUnderKeyIds) query = query.where(sql<boolean>`not (${underKey(spec.column, keyId)})`);
  if (filter.afterId !== null) query = query.where(sql.ref(spec.idColumn), ">", filter.afterId);
  const rows = await query.orderBy(sql.ref(spec.idColumn)).limit(filter.limit).execute();
  return rows.map((row) => ({ column: name, id: String(row.id), ciphertext: String(row.ciphertext) }));
}

export async function countSealedValues(db: Kysely<Database>, name: SealedColumnName, keyId: string): Promise<number> {
  const spec = sealedColumn(name);
  const row = await (db as unknown as Kysely<Record<string, Record<string, string>>>)
    .selectFrom(spec.table)
    .select((eb) => eb.fn.countAll().as("count"))
    .where(underKey(spec.column, keyId))
    .executeTakeFirstOrThrow();
  // PostgreSQL returns count(*) as a bigint string.
  return Number(row.count);
}

export async function replaceSealedValue(db: Kysely<Database>, name: SealedColumnName, id: string, expectedOld: string, next: string): Promise<boolean> {
  const spec = sealedColumn(name);
  // Conditional on the old ciphertext: a value a running server changed or deleted meanwhile is left alone.
  const result = await (db as unknown as Kysely<Record<string, Record<string, string>>>)
    .updateTable(spec.table)
    .set({ [spec.column]: next })
    .where(sql.ref(spec.idColumn), "=", id)
    .where(sql.ref(spec.column), "=", expectedOld)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
