import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { apiSession } from "../plugins/authentication.js";
import { sendApiError } from "../plugins/errors.js";

/** A full session (Bearer token) or 401; a pending login's flowId is not a session. */
export function requireApiSession(deps: ServiceDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await apiSession(deps, request);
    if (!auth) return sendApiError(reply, "not_authenticated");
    request.auth = auth;
  };
}
