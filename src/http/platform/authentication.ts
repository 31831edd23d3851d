import type { FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../services/access/access.js";
import { authenticateApiKey } from "../../services/api-keys/authenticate-api-key.js";
import type { ServiceDeps } from "../../services/deps.js";
import { looksLikeApiKey } from "../../services/api-keys/authenticate-api-key.js";
import { sendApiError } from "../plugins/errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The platform API's caller: the user of a live API key (via "api_key", no session). */
    actor?: Actor;
  }
}

/**
 * SECURITY 32: the platform API takes `Authorization: Bearer tsk_…` and
 * nothing else. Basic auth, a session token, a login flow id, a password in a
 * header or body: all get 401 `api_key_required` before any body is read, so
 * the API can never turn a password into access without the second factor,
 * and there is no 2FA prompt to meet. Cookies are never read here.
 */
export function requireApiKey(deps: ServiceDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const bearer = typeof header === "string" && header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
    if (!bearer || !looksLikeApiKey(bearer)) return sendApiError(reply, "api_key_required");
    const actor = await authenticateApiKey(deps, bearer);
    if (!actor) return sendApiError(reply, "invalid_api_key");
    request.actor = actor;
  };
}

/**
 * The other side of SECURITY 32: outside the platform API, a request bearing
 * an API key is refused with 401 `session_required` before its body is read,
 * so a key can never reach the session's own routes (security settings, key
 * creation) whatever they accept. For the /api scope, as an onRequest hook.
 */
export async function refuseApiKeyOutsidePlatform(request: FastifyRequest, reply: FastifyReply) {
  if (request.url.startsWith(platformPrefix)) return;
  const header = request.headers.authorization;
  if (typeof header === "string" && header.startsWith("Bearer ") && looksLikeApiKey(header.slice("Bearer ".length).trim())) return sendApiError(reply, "session_required");
}

export const platformPrefix = "/api/platform/v1";
