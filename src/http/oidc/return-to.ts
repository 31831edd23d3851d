import type { FastifyReply, FastifyRequest } from "fastify";
import { interactionUidOf } from "../../services/apps/app-login-rules.js";
import { cookieOptions } from "../plugins/authentication.js";

/**
 * Where the login goes after it completes, when an app's sign-in sent the
 * browser to `/login?return_to=…`. Only an app sign-in on twostep itself
 * (`/oidc/interaction/<uid>`) is accepted: anything else is ignored and the
 * login lands on the user's own page (no open redirect). Kept in an HttpOnly
 * cookie through password → second step → required enrolment.
 */
export const returnToCookie = "twostep_return_to";

function validReturnTo(value: unknown): string | null {
  return interactionUidOf(value) ? (value as string) : null;
}

/** GET /login: keeps a valid `return_to` for the end of this login; returns it, or null. */
export function keepReturnTo(request: FastifyRequest, reply: FastifyReply, secure: boolean, maxAgeSeconds: number): string | null {
  const returnTo = validReturnTo((request.query as Record<string, unknown> | undefined)?.return_to);
  if (returnTo) reply.setCookie(returnToCookie, returnTo, cookieOptions(secure, maxAgeSeconds));
  return returnTo;
}

/** The kept `return_to` (not cleared), or null. */
export function pendingReturnTo(request: FastifyRequest): string | null {
  return validReturnTo(request.cookies[returnToCookie]);
}

/** At the end of a login: the kept `return_to`, cleared, or null. */
export function takeReturnTo(request: FastifyRequest, reply: FastifyReply, secure: boolean): string | null {
  const returnTo = pendingReturnTo(request);
  if (request.cookies[returnToCookie] !== undefined) reply.clearCookie(returnToCookie, cookieOptions(secure));
  return returnTo;
}

/** `prompt=login` on /login: show the form even to a signed-in browser (an app asked for a fresh login). */
export function freshLoginAsked(request: FastifyRequest): boolean {
  return (request.query as Record<string, unknown> | undefined)?.prompt === "login";
}
