import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../services/deps.js";
import { rememberBrowserAfterLogin } from "../services/throttle/password-throttle.js";

/**
 * The remembered-browser cookie (issue 7): set when a login completes, sent back
 * with the password step, where it lets this browser skip the per-account delay.
 * HttpOnly and only on /login paths, so scripts and other pages never see it.
 */
export const browserCookie = "twostep_browser";

export async function rememberThisBrowser(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, secure: boolean, userId: string): Promise<void> {
  setBrowserCookie(deps, reply, secure, await rememberBrowserAfterLogin(deps, userId, request.cookies[browserCookie]));
}

/** Sets the cookie to a token the login's transaction already stored (the second step's); nothing when it kept the browser's own. */
export function setBrowserCookie(deps: ServiceDeps, reply: FastifyReply, secure: boolean, token: string | null | undefined): void {
  if (token) reply.setCookie(browserCookie, token, { path: "/login", httpOnly: true, sameSite: "lax", secure, maxAge: deps.config.rememberedBrowserDays * 86_400 });
}
