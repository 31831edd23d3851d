import type { FastifyRequest } from "fastify";
import type { TrustProxy } from "../services/deps.js";
import type { RequestContext } from "../services/deps.js";

/** Who is asking, for throttling and the event log. `request.ip` honours TWOSTEP_TRUST_PROXY. */
export function requestContext(request: FastifyRequest): RequestContext {
  const agent = request.headers["user-agent"];
  return { clientAddress: request.ip ?? null, userAgent: typeof agent === "string" ? agent.slice(0, 256) : null };
}

/**
 * Fastify's `trustProxy` for TWOSTEP_TRUST_PROXY. A list goes to proxy-addr as it is:
 * only hops from those addresses are believed. A hop count becomes "believe the
 * first n hops from the socket inward": the client is the n-th X-Forwarded-For
 * entry from the right, the one the outermost trusted proxy appended, and what a
 * client wrote to the left of it is never read. (Fastify treats a bare number as
 * trusting nothing, so it is passed as this function.)
 */
export function fastifyTrustProxy(setting: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === "number") return setting === 0 ? false : (_address, hop) => hop < setting;
  return setting;
}
