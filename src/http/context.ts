import type { FastifyRequest } from "fastify";
import type { RequestContext } from "../services/deps.js";

/** Who is asking, for throttling and the event log. `request.ip` honours TWOSTEP_TRUST_PROXY. */
export function requestContext(request: FastifyRequest): RequestContext {
  const agent = request.headers["user-agent"];
  return { clientAddress: request.ip ?? null, userAgent: typeof agent === "string" ? agent.slice(0, 256) : null };
}
