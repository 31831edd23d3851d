import { AjvCompiler, type ValidatorFactory } from "@fastify/ajv-compiler";
import type { FastifyRouteSchemaDef, FastifyValidationResult } from "fastify/types/schema.js";
import { compiledOnce, validatorOnFirstUse, type ValidateFunction } from "./compiled-once.js";

type CompileRoute = (route: FastifyRouteSchemaDef<unknown>) => FastifyValidationResult;

/**
 * Bodies are read as sent: a JSON `"1"` stays a string and a number schema
 * refuses it, unknown fields are an error (not silently dropped), no defaults
 * are filled in.
 */
const bodyOptions = { removeAdditional: false, coerceTypes: false, useDefaults: false } as const;

/**
 * A query string is text: every value arrives as a string, so a schema asking
 * for an integer (`?limit=10`) or a boolean (`?withoutTwoFactor=true`) could
 * never be met without coercion (issue 20). Query strings alone are coerced,
 * as Fastify does by default: `"10"` → 10, `"true"` → true; what does not
 * read as the type (`?limit=ten`, `?limit=1.5`) is still refused. A repeated
 * parameter (`?limit=1&limit=2`, an array) is not folded into one value
 * (`coerceTypes: true`, not `"array"`): refused as well.
 */
const queryOptions = { removeAdditional: false, coerceTypes: true, useDefaults: false } as const;

/**
 * Fastify's own Ajv compiler (with ajv-formats), twice: strict for bodies, params and headers,
 * coercing for query strings. Made on the first schema compiled (compiled-once.ts): a new Ajv
 * instance compiles its meta-schema and formats, which an app whose schemas were compiled by
 * an earlier app in the process never needs.
 */
function buildValidatorPair(externalSchemas: Parameters<ReturnType<typeof AjvCompiler>>[0]): CompileRoute {
  let pair: { strict: CompileRoute; query: CompileRoute } | undefined;
  const compilers = () => {
    if (pair) return pair;
    const factory = AjvCompiler();
    // At run time a compiler takes the route ({ schema, method, url, httpPart }), as Fastify calls it; its typings say a bare schema.
    pair = {
      strict: factory(externalSchemas, { customOptions: bodyOptions }) as unknown as CompileRoute,
      query: factory(externalSchemas, { customOptions: queryOptions }) as unknown as CompileRoute,
    };
    return pair;
  };
  const compile = (route: FastifyRouteSchemaDef<unknown>) => () =>
    (route.httpPart === "querystring" ? compilers().query(route) : compilers().strict(route)) as ValidateFunction;
  return (route) => {
    const kind = route.httpPart === "querystring" ? "query" : `strict ${route.httpPart ?? ""}`;
    return compiledOnce(kind, route.schema, () => validatorOnFirstUse(compile(route))) as FastifyValidationResult;
  };
}

export const buildValidator = buildValidatorPair as unknown as ValidatorFactory;
