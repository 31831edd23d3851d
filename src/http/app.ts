import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { fileURLToPath } from "node:url";
import { errorMessage, errorStatus } from "../domain/errors.js";
import { redactedLogPaths } from "../bootstrap.js";
import type { ServiceDeps } from "../services/deps.js";
import { apiPlugin } from "./api/index.js";
import { pagesPlugin } from "./pages/index.js";
import { sendApiError, classifyFrameworkError, logUnexpected } from "./plugins/errors.js";
import { cookieOptions } from "./plugins/authentication.js";
import { fastifyTrustProxy } from "./context.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { sendPage } from "./pages/render.js";
import { errorPage } from "./pages/views/error.js";

export interface AppOptions {
  deps: ServiceDeps;
  /** Signs the CSRF secret cookie; derived from the encryption key in bootstrap. */
  cookieSecret: string;
  /** pino options, or false for no request logging (tests, benchmarks). */
  logger?: boolean | object;
}

const publicDir = fileURLToPath(new URL("../../public/", import.meta.url));

/** Builds the whole HTTP app without listening (tests use `inject`, server.ts listens). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const secureCookies = deps.config.publicUrl.startsWith("https://");
  const app = Fastify({
    logger: options.logger ?? { level: deps.config.logLevel, redact: { paths: redactedLogPaths, censor: "[redacted]" } },
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: 16 * 1024,
    // Unknown fields are an error, not silently dropped; types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });

  registerSecurityHeaders(app, { tls: secureCookies });
  await app.register(cookie, { secret: options.cookieSecret });
  await app.register(csrf, {
    cookieKey: "twostep_csrf",
    cookieOpts: { ...cookieOptions(secureCookies), signed: true, sameSite: "strict" },
    getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
  });
  await app.register(fastifyStatic, { root: publicDir, prefix: "/assets/", decorateReply: false, cacheControl: true, maxAge: 3600_000 });

  // Nothing a page or the API returns may be cached: keys, codes and account data (SECURITY 18).
  app.addHook("onSend", async (request, reply) => {
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, field } = classifyFrameworkError(error);
    if (code === "internal_error") logUnexpected(app, request, error);
    if (request.url.startsWith("/api")) return sendApiError(reply, code, field ? { field } : {});
    return sendPage(reply, { title: "Something is wrong", narrow: true, status: errorStatus(code) }, errorPage({ title: errorStatus(code) >= 500 ? "Something went wrong" : "That did not work", message: errorMessage(code) }));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api")) return sendApiError(reply, "not_found");
    return sendPage(reply, { title: "Not found", narrow: true, status: 404 }, errorPage({ title: "Page not found", message: errorMessage("not_found") }));
  });

  await app.register(apiPlugin, { prefix: "/api", deps });
  await app.register(pagesPlugin, { deps, secureCookies });
  return app;
}
