import type { Compilable, CompiledQuery, Kysely, QueryResult } from "kysely";
import type { Database } from "../schema.js";

/**
 * Statements built and compiled once, then run with new values.
 *
 * Kysely builds an operation tree and compiles it to SQL on every call: on the
 * second step that was about a third of the server's CPU (bench/). A hot
 * statement's shape never changes, only its values, so `prepare` builds it
 * once per dialect with placeholders (`slot(i)` stands for the i-th argument)
 * and later swaps the arguments into the compiled parameter list. Constants
 * written into the builder stay as they were. Statements whose shape varies
 * (IN lists, optional filters) are built per call as before.
 */
export class Slot {
  constructor(readonly index: number) {}
}

type Builder<R> = (db: Kysely<Database>, slot: (index: number) => any) => Compilable<R>;

export interface Prepared<R> {
  (db: Kysely<Database>, ...args: unknown[]): Promise<QueryResult<R>>;
}

/**
 * The SQL texts `prepare` compiled, each with a name of its own: src/store/postgres.ts sends
 * these as named statements, which PostgreSQL parses once per connection and pg then sends by
 * name (the text is not sent again). A fixed, small set: every `prepare` is at module level or
 * per lock schedule.
 */
const statementNames = new Map<string, string>();

/** The name of a statement `prepare` compiled (undefined for any other SQL text). */
export function preparedStatementName(text: string): string | undefined {
  return statementNames.get(text);
}

export function prepare<R>(build: Builder<R>): Prepared<R> {
  // One compiled form per dialect: the SQL text differs (`?` or `$1`), the tree does not.
  const compiledByAdapter = new Map<unknown, CompiledQuery<R>>();
  const slots: Slot[] = [];
  const slot = (index: number) => (slots[index] ??= new Slot(index));
  return (db, ...args) => {
    const adapter = db.getExecutor().adapter.constructor;
    let compiled = compiledByAdapter.get(adapter);
    if (!compiled) {
      compiled = build(db, slot).compile();
      compiledByAdapter.set(adapter, compiled);
      if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `twostep_${statementNames.size + 1}`);
    }
    const parameters = compiled.parameters.map((value) => (value instanceof Slot ? args[value.index] : value));
    return db.executeQuery<R>({ ...compiled, parameters });
  };
}
