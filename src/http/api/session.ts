import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { apiSession } from "../plugins/authentication.js";
import { sendApiError } from "../plugins/errors.js";
import { isPendingEnrolment } from "../../services/enrolment/required-enrolment.js";
import { looksLikeApiKey } from "../../services/api-keys/authenticate-api-key.js";

/**
 * A full session (Bearer token) or 401; a pending login's flowId is not a session.
 * A login that may only enrol (P1) presenting its flowId gets 403
 * `two_factor_enrolment_required`, so a client knows where to go; it grants nothing.
 */
export function requireApiSession(deps: ServiceDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await apiSession(deps, request);
    if (!auth) {
      const header = request.headers.authorization;
      const bearer = typeof header === "string" && header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
      // SECURITY 32: an API key is never a session; say so, so an integrator knows where keys belong.
      if (looksLikeApiKey(bearer)) return sendApiError(reply, "session_required");
      if (bearer && (await isPendingEnrolment(deps, bearer))) return sendApiError(reply, "two_factor_enrolment_required");
      return sendApiError(reply, "not_authenticated");
    }
    request.auth = auth;
  };
}
