/**
 * Compiled schema functions: each compiled when a request first needs it, and once per process.
 *
 * Compiling every route's schemas was most of the work of building the app (Ajv generates and
 * evaluates code for each validator, fast-json-stringify for each response serializer): about
 * 1.5 s of CPU per app, paid again by every app built in the same process (the tests build one
 * per test file or per test). Now a route's validator or serializer is compiled on the first
 * request that uses it, and kept by what its schema says for every later app in the process.
 * A validator or serializer is a pure function of its schema, its part and the fixed compiler
 * options; the one shared schema (ErrorBody, by `$ref`) is the same in every app. Keyed by the
 * schema's JSON, not its identity: routes spread schemas into new objects. The price: a route's
 * first request waits for its compile (milliseconds); the schemas are constants the tests
 * exercise, so a broken one still fails the suite.
 */
const compiled = new Map<string, unknown>();

export function compiledOnce<T>(kind: string, schema: unknown, make: () => T): T {
  const key = `${kind}\u0000${JSON.stringify(schema)}`;
  let value = compiled.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    compiled.set(key, value);
  }
  return value;
}

/** An Ajv validate function as Fastify calls it: `(data, { parentData, parentDataProperty })`, with `.errors`. */
export interface ValidateFunction {
  (data: unknown, context?: object): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}

/**
 * A validator that compiles on its first call. `schemaEnv` is set so Fastify passes the parent
 * context, which lets Ajv coerce a root value (as it does for a compiled Ajv function); the
 * errors of each call are copied where Fastify reads them.
 */
export function validatorOnFirstUse(compile: () => ValidateFunction): ValidateFunction {
  let validate: ValidateFunction | undefined;
  const onFirstUse: ValidateFunction = (data, context) => {
    validate ??= compile();
    const result = validate(data, context);
    onFirstUse.errors = validate.errors;
    return result;
  };
  onFirstUse.schemaEnv = true;
  return onFirstUse;
}

/** A serializer that compiles on its first call. */
export function serializerOnFirstUse(compile: () => (document: unknown) => string): (document: unknown) => string {
  let serialize: ((document: unknown) => string) | undefined;
  return (document) => (serialize ??= compile())(document);
}
