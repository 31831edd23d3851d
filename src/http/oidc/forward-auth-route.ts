import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decideForwardAuth, type ForwardAuthDecision } from "../../services/apps/forward-auth.js";
import type { ServiceDeps } from "../../services/deps.js";
import { pageSession } from "../plugins/authentication.js";
import { proxyAnswersRoute, type SetSecurityHeaders } from "../plugins/security-headers.js";

/**
 * The page a proxy asks about: nginx `auth_request` sends `X-Original-URL`;
 * Traefik `forwardAuth` and Caddy `forward_auth` send X-Forwarded-Proto,
 * -Host and -Uri. Null when neither names an absolute http(s) URL.
 */
function originalUrlOf(request: FastifyRequest): { url: URL; nginx: boolean } | null {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === "string" ? value : undefined;
  };
  const original = header("x-original-url");
  const proto = header("x-forwarded-proto");
  const host = header("x-forwarded-host");
  const text = original ?? (proto && host ? `${proto}://${host}${header("x-forwarded-uri") ?? "/"}` : undefined);
  if (!text) return null;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? { url, nginx: original !== undefined } : null;
  } catch {
    return null;
  }
}

/**
 * GET /forward-auth for a legacy panel behind a reverse proxy (issue 15 item
 * 4). 200 with Remote-* headers for a full twostep session that meets the
 * app's 2FA rule; otherwise the login address with `return_to` — as a 401
 * with `Location` for nginx (auth_request treats any other status as an
 * error; its config turns the 401 into a redirect), a 302 for Traefik and
 * Caddy. An origin no app registered gets 403. The proxy must overwrite the
 * Remote-* headers on every request (README snippets).
 *
 * The 200 goes to the proxy only and carries no security headers (`proxyAnswersRoute`); every
 * other answer can reach the browser (Traefik and Caddy pass it on) and gets them here.
 */
export function registerForwardAuthRoute(app: FastifyInstance, deps: ServiceDeps, setSecurityHeaders: SetSecurityHeaders) {
  const securityHeaders = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<void>((resolve, reject) => setSecurityHeaders(request.raw, reply.raw, (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())));
  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const original = originalUrlOf(request);
    let decision: ForwardAuthDecision | null = null;
    try {
      decision = original && (await decideForwardAuth(deps, original.url, await pageSession(deps, request)));
    } finally {
      // Everything but the 200 may reach the browser, an error page included.
      if (decision?.kind !== "allow") await securityHeaders(request, reply);
    }
    if (!original || !decision) reply.code(400).type("text/plain; charset=utf-8").send("X-Original-URL, or X-Forwarded-Proto and X-Forwarded-Host, must name the page asked for");
    else if (decision.kind === "allow") reply.code(200).headers(decision.headers).send();
    else if (decision.kind === "unknown_origin") reply.code(403).type("text/plain; charset=utf-8").send("This site is not registered with twostep.");
    else reply.code(original.nginx ? 401 : 302).header("location", `${deps.config.publicUrl}/login?return_to=${encodeURIComponent(decision.returnTo)}${decision.fresh ? "&prompt=login" : ""}`).send();
  }
  // A handler that returns nothing and sends when its answer is ready: an async handler returning
  // the reply makes Fastify wait for the response's end (stream listeners on every check).
  app.get("/forward-auth", { config: proxyAnswersRoute }, (request, reply) => {
    answer(request, reply).catch((error: unknown) => reply.send(error));
  });
}
