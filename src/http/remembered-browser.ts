import type { FastifyReply } from "fastify";
import type { ServiceDeps } from "../services/deps.js";

/**
 * The remembered-browser cookie (issue 7): set when a login completes, sent back
 * with the password step, where it lets this browser skip the per-account delay.
 * HttpOnly and only on /login paths, so scripts and other pages never see it.
 */
export const browserCookie = "twostep_browser";

/** Sets the cookie to the token the login's transaction stored; nothing when the login kept the browser's own. */
export function setBrowserCookie(deps: ServiceDeps, reply: FastifyReply, secure: boolean, token: string | null | undefined): void {
  if (token) reply.setCookie(browserCookie, token, { path: "/login", httpOnly: true, sameSite: "lax", secure, maxAge: deps.config.rememberedBrowserDays * 86_400 });
}
