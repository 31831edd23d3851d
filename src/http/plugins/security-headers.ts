import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

/**
 * Security headers from helmet (CSP, nosniff, frame and referrer policies, HSTS on TLS).
 * The middleware is built once here: @fastify/helmet builds it again on every
 * request, which cost about 8 % of a second-step request (bench/).
 */
export type SetSecurityHeaders = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * A route with this config is asked by a reverse proxy on every request of another site
 * (GET /forward-auth): the hook leaves its answers alone and the route sets the headers itself
 * on the answers a browser may be shown (a redirect, a refusal). Its 200 is read by the proxy
 * only (nginx `auth_request`, Traefik `forwardAuth`, Caddy `forward_auth` copy the Remote-*
 * headers and discard the rest), and the dozen headers were about a fifth of what each check
 * allocated (bench/README.md).
 */
export const proxyAnswersRoute = { proxyAnswers: true } as const;

export function registerSecurityHeaders(app: FastifyInstance, options: { tls: boolean }): SetSecurityHeaders {
  const setHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only where the site is served over TLS; on http://localhost it would break every form.
        upgradeInsecureRequests: options.tls ? [] : null,
      },
    },
    hsts: options.tls,
  });
  app.addHook("onRequest", (request, reply, done) => {
    if ((request.routeOptions.config as { proxyAnswers?: boolean }).proxyAnswers === true) return done();
    setHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  return setHeaders as SetSecurityHeaders;
}
