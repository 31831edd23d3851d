import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { resolveSession, type Authenticated } from "../../services/sessions/sessions.js";

export const sessionCookie = "twostep_session";
export const loginFlowCookie = "twostep_login";

/** Pages: the session cookie. */
export function pageSession(deps: ServiceDeps, request: FastifyRequest): Promise<Authenticated | undefined> {
  return resolveSession(deps, request.cookies[sessionCookie]);
}

/**
 * API: `Authorization: Bearer <session token>` only. Cookies are ignored here, so
 * a cross-site page cannot ride a browser's session into the API (no CSRF surface),
 * and no password is ever accepted as a credential (SECURITY 32).
 */
export function apiSession(deps: ServiceDeps, request: FastifyRequest): Promise<Authenticated | undefined> {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer ")) return Promise.resolve(undefined);
  return resolveSession(deps, header.slice("Bearer ".length).trim());
}

export function cookieOptions(secure: boolean, maxAgeSeconds?: number) {
  return { path: "/", httpOnly: true, sameSite: "lax" as const, secure, ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) };
}

/** The session cookie's options: with TWOSTEP_COOKIE_DOMAIN it reaches sibling hosts (forward auth, issue 15). */
export function sessionCookieOptions(config: { oidc: { cookieDomain: string | null } }, secure: boolean, maxAgeSeconds?: number) {
  return { ...cookieOptions(secure, maxAgeSeconds), ...(config.oidc.cookieDomain ? { domain: config.oidc.cookieDomain } : {}) };
}

export function noStore(reply: FastifyReply) {
  reply.header("cache-control", "no-store");
}
