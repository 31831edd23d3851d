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
    }
    const parameters = compiled.parameters.map((value) => (value instanceof Slot ? args[value.index] : value));
    return db.executeQuery<R>({ ...compiled, parameters });
  };
}
