import type { FastifyReply } from "fastify";
import type { ServiceDeps } from "../services/deps.js";

/**
 * The known-browser cookie (issue 7; not L7's trusted-browser cookie): set when a login completes, sent back
 * with the password step, where it lets this browser skip the per-account delay.
 * HttpOnly and only on /login paths, so scripts and other pages never see it.
 */
export const knownBrowserCookie = "twostep_browser";

/** Sets the cookie to the token the login's transaction stored; nothing when the login kept the browser's own. */
export function setKnownBrowserCookie(deps: ServiceDeps, reply: FastifyReply, secure: boolean, token: string | null | undefined): void {
  if (token) reply.setCookie(knownBrowserCookie, token, { path: "/login", httpOnly: true, sameSite: "lax", secure, maxAge: deps.config.knownBrowserDays * 86_400 });
}
