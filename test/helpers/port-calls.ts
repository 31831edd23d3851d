/**
 * Every call a store port offers, sorted: its own functions and every method up its prototype
 * chain (a transaction's ports are class instances whose calls are methods), enumerable or not,
 * short of `Object.prototype`'s.
 */
export function portCalls(port: object): string[] {
  const names = new Set<string>();
  for (let object: object | null = port; object && object !== Object.prototype; object = Object.getPrototypeOf(object) as object | null) {
    for (const name of Object.getOwnPropertyNames(object)) {
      if (name !== "constructor" && typeof (port as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return [...names].sort();
}
