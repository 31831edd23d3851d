import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import fastifyStatic from "@fastify/static";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { errorMessage, errorStatus, serverBusyOf } from "../services/failures.js";
import { redactedLogPaths } from "../services/log-redaction.js";
import type { ServiceDeps } from "../services/deps.js";
import { apiPlugin } from "./api/index.js";
import { pagesPlugin } from "./pages/index.js";
import { sendApiError, classifyFrameworkError, logUnexpected } from "./plugins/errors.js";
import { cookieOptions } from "./plugins/authentication.js";
import { fastifyTrustProxy } from "./context.js";
import { registerSecurityHeaders, type SetSecurityHeaders } from "./plugins/security-headers.js";
import { registerVendorAssets } from "./plugins/vendor-assets.js";
import { buildSerializer } from "./plugins/serializers.js";
import { buildValidator } from "./plugins/validators.js";
import { layout } from "./pages/views/layout.js";
import { sendPage } from "./pages/render.js";
import { errorPage } from "./pages/views/error.js";
import { isProviderPath, registerOidcProvider } from "./oidc/mount.js";

export interface AppOptions {
  deps: ServiceDeps;
  /** Signs the CSRF secret cookie; derived from the encryption key in bootstrap. */
  cookieSecret: string;
  /** pino options, or false for no request logging (tests, benchmarks). */
  logger?: boolean | object;
  /** Each request's id (its log lines' `reqId`); Fastify's counter when absent (src/operations/request-hooks.ts makes the server's). */
  genReqId?: (request: IncomingMessage) => string;
  /**
   * Called on the new app before any plugin or route is added: the server's request ids and answer
   * timing (src/operations/request-hooks.ts), whose `onRequest` hook then runs before the OpenID
   * Connect provider's, which answers its paths itself (oidc/mount.ts) and ends the hook chain there;
   * `answeredOutside` tells it which paths those are (timed to the response's end, not in `onSend`).
   */
  instrument?: (app: FastifyInstance, answeredOutside: (url: string) => boolean) => void;
}

/**
 * The request as a log line shows it: the path without its query string. The
 * reset page's URL carries the reset token (`/login/reset?token=…`, PR1), and
 * Fastify's own serializer would log the whole URL on every request; no query
 * string here holds anything an operator needs from the log.
 */
export function logSafeRequest(request: { method: string; url: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
  const query = request.url.indexOf("?");
  return {
    method: request.method,
    url: query === -1 ? request.url : request.url.slice(0, query),
    host: request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function withRequestSerializer(logger: boolean | object): boolean | object {
  if (typeof logger !== "object") return logger;
  const serializers = (logger as { serializers?: object }).serializers ?? {};
  return { ...logger, serializers: { ...serializers, req: logSafeRequest } };
}

const publicDir = join(import.meta.dirname, "../../public/");

/** Every error answer: the catalogue's JSON under /api, an error page elsewhere. */
function answerError(app: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // Too many argon2id computations at once (TWOSTEP_PASSWORD_HASH_CONCURRENCY): 503 with Retry-After, nothing changed.
  const busy = serverBusyOf(error);
  if (busy) {
    reply.removeHeader("location");
    if (request.url.startsWith("/api")) return sendApiError(reply, "server_busy", busy);
    reply.header("retry-after", String(busy.retryAfterSeconds));
    return sendPage(reply, { title: "Too many sign-ins", narrow: true, status: errorStatus("server_busy") }, errorPage({ title: "Too many sign-ins at once", message: errorMessage("server_busy") }));
  }
  const { code, field } = classifyFrameworkError(error);
  if (code === "internal_error") logUnexpected(app, request, error);
  // An error answer never redirects; and a Location Node refused would fail this answer too (a 500).
  reply.removeHeader("location");
  if (request.url.startsWith("/api")) return sendApiError(reply, code, field ? { field } : {});
  return sendPage(reply, { title: "Something is wrong", narrow: true, status: errorStatus(code) }, errorPage({ title: errorStatus(code) >= 500 ? "Something went wrong" : "That did not work", message: errorMessage(code), field }));
}

/**
 * A URL that cannot be decoded never reaches a route, a hook or a plugin (no
 * CSRF, no cookies): it gets the security headers by hand and the catalogue's
 * `invalid_request`, as JSON under /api and as a plain error page elsewhere.
 */
function answerUnreadableUrl(_error: FastifyError, request: FastifyRequest, reply: FastifyReply, setSecurityHeaders: SetSecurityHeaders | undefined) {
  const send = () => {
    reply.header("cache-control", "no-store");
    if (request.url.startsWith("/api")) return sendApiError(reply, "invalid_request");
    const page = layout({ title: "Something is wrong", narrow: true, user: null }, errorPage({ title: "That did not work", message: errorMessage("invalid_request") }));
    return reply.code(errorStatus("invalid_request")).type("text/html; charset=utf-8").send(page.toString());
  };
  if (!setSecurityHeaders) return send();
  setSecurityHeaders(request.raw, reply.raw, () => void send());
}

function csrfFieldOf(body: unknown): string | undefined {
  return typeof body === "object" && body !== null && "_csrf" in body && typeof body._csrf === "string" ? body._csrf : undefined;
}

/** Builds the whole HTTP app without listening (tests use `inject`, server.ts listens). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const secureCookies = deps.config.publicUrl.startsWith("https://");
  const app: FastifyInstance = Fastify({
    logger: withRequestSerializer(options.logger ?? { level: deps.config.logLevel, redact: { paths: redactedLogPaths, censor: "[redacted]" } }),
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: 16 * 1024,
    ...(options.genReqId ? { genReqId: options.genReqId } : {}),
    // Unknown fields are an error, not silently dropped; body types are not coerced, query strings are (plugins/validators.ts).
    // Each schema is compiled on its first use, once per process (plugins/compiled-once.ts).
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    // A URL Fastify cannot decode (`%FF`, a lone `%`) gets the catalogue's answer too, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => answerUnreadableUrl(error, request, reply, setSecurityHeaders),
  });

  // The provider's paths: answered by the provider itself, outside Fastify's reply (http/oidc/mount.ts).
  options.instrument?.(app, isProviderPath);
  const setSecurityHeaders = registerSecurityHeaders(app, { tls: secureCookies });
  await app.register(cookie, { secret: options.cookieSecret });
  await app.register(csrf, {
    cookieKey: "twostep_csrf",
    cookieOpts: { ...cookieOptions(secureCookies), signed: true, sameSite: "strict" },
    // Every form route's schema has checked `_csrf` is a string (pages/form-schema.ts) before this runs.
    getToken: (request) => csrfFieldOf(request.body),
  });
  await app.register(fastifyStatic, { root: publicDir, prefix: "/assets/", decorateReply: false, cacheControl: true, maxAge: 3600_000 });
  registerVendorAssets(app);

  // Nothing a page or the API returns may be cached: keys, codes and account data (SECURITY 18).
  app.addHook("onSend", (request, reply, payload, done) => {
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
    done(null, payload);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => answerError(app, error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api")) return sendApiError(reply, "not_found");
    return sendPage(reply, { title: "Not found", narrow: true, status: 404 }, errorPage({ title: "Page not found", message: errorMessage("not_found") }));
  });

  // Issue 15: the OpenID Connect provider and the apps' sign-in pages (src/http/oidc/).
  await registerOidcProvider(app, deps, options.cookieSecret, setSecurityHeaders);
  await app.register(apiPlugin, { prefix: "/api", deps });
  await app.register(pagesPlugin, { deps, secureCookies });
  return app;
}
