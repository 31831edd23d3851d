import type { FastifyReply, FastifyRequest } from "fastify";
import { checkReturnTo } from "../../services/apps/forward-auth.js";
import type { ServiceDeps } from "../../services/deps.js";
import { cookieOptions } from "../plugins/authentication.js";

/**
 * Where the login goes after it completes, when an app sent the browser to
 * `/login?return_to=…`: an app's sign-in on twostep itself
 * (`/oidc/interaction/<uid>`), or a page under a registered forward-auth
 * origin (services/apps/forward-auth.ts `checkReturnTo`). Anything else is
 * ignored and the login lands on the user's own page (no open redirect).
 * Kept in an HttpOnly cookie through password → second step → required
 * enrolment, and checked again when it is used.
 */
export const returnToCookie = "twostep_return_to";

/** GET /login: keeps a valid `return_to` for the end of this login; returns it, or null. */
export async function keepReturnTo(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, secure: boolean): Promise<string | null> {
  const returnTo = await checkReturnTo(deps, (request.query as Record<string, unknown> | undefined)?.return_to);
  if (returnTo) reply.setCookie(returnToCookie, returnTo, cookieOptions(secure, deps.config.loginTtlSeconds + deps.config.enrolmentTtlSeconds));
  return returnTo;
}

/** At the end of a login: the kept `return_to`, checked again and cleared, or null. */
export async function takeReturnTo(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, secure: boolean): Promise<string | null> {
  const value = request.cookies[returnToCookie];
  if (value === undefined) return null;
  reply.clearCookie(returnToCookie, cookieOptions(secure));
  return checkReturnTo(deps, value);
}

/** `prompt=login` on /login: show the form even to a signed-in browser (an app asked for a fresh login). */
export function freshLoginAsked(request: FastifyRequest): boolean {
  return (request.query as Record<string, unknown> | undefined)?.prompt === "login";
}
