import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";

/**
 * The app every route module registers on: `request.body`, `params` and
 * `query` are typed from the route's TypeBox schema, so no route casts them.
 * Types only: validation is still the app's own Ajv (plugins/validators.ts:
 * no removal, query strings coerced, bodies not), so what a schema refuses is unchanged.
 */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The same instance, seen through the TypeBox type provider. */
export function typedApp(app: FastifyInstance): TypedApp {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
