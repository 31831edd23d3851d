import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * L7 "Don't ask again on this browser": the cookie holding the remembered
 * browser's token. HttpOnly (no script reads it), Secure when the app is,
 * SameSite=Lax, on the whole site (path /) for the days policy allows. It is
 * only ever read by the password step (pages and API); its value goes nowhere
 * else: never a body, a log line, an event or an email.
 */
export const trustedBrowserCookie = "twostep_trusted_browser";

export function trustedBrowserTokenOf(request: FastifyRequest): string | undefined {
  return request.cookies[trustedBrowserCookie];
}

export function setTrustedBrowserCookie(reply: FastifyReply, secure: boolean, trusted: { token: string; days: number } | undefined): void {
  if (!trusted) return;
  reply.setCookie(trustedBrowserCookie, trusted.token, { path: "/", httpOnly: true, sameSite: "lax", secure, maxAge: trusted.days * 86_400 });
}
