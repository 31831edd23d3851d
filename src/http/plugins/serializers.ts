import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import { compiledOnce, serializerOnFirstUse } from "./compiled-once.js";

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** Fastify's own response serializer compiler (fast-json-stringify), each schema compiled on first use, once per process (compiled-once.ts). */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => compiledOnce("response", route.schema, () => serializerOnFirstUse(() => compile(route)));
};
