import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../services/deps.js";
import { recordKnownBrowserAfterLogin } from "../services/throttle/password-throttle.js";

/**
 * The known-browser cookie (issue 7; not L7's trusted-browser cookie): set when a login completes, sent back
 * with the password step, where it lets this browser skip the per-account delay.
 * HttpOnly and only on /login paths, so scripts and other pages never see it.
 */
export const knownBrowserCookie = "twostep_browser";

export async function setKnownBrowserCookie(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, secure: boolean, userId: string): Promise<void> {
  const token = await recordKnownBrowserAfterLogin(deps, userId, request.cookies[knownBrowserCookie]);
  if (token) {
    reply.setCookie(knownBrowserCookie, token, { path: "/login", httpOnly: true, sameSite: "lax", secure, maxAge: deps.config.knownBrowserDays * 86_400 });
  }
}
