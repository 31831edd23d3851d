import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

/**
 * Security headers from helmet (CSP, nosniff, frame and referrer policies, HSTS on TLS).
 * The middleware is built once here: @fastify/helmet builds it again on every
 * request, which cost about 8 % of a second-step request (bench/).
 */
export type SetSecurityHeaders = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

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
    setHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  return setHeaders as SetSecurityHeaders;
}
