import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { typedApp } from "../typed-app.js";
import { registerLoginApi } from "./login-routes.js";
import { registerPasswordResetApi } from "./password-reset-routes.js";
import { registerSettingsApi } from "./settings-routes.js";
import { registerMethodApi } from "./method-routes.js";
import { registerSecurityKeyApi } from "./security-key-routes.js";
import { ErrorBody } from "./schemas.js";
import { registerRequiredEnrolmentApi } from "./required-enrolment-routes.js";
import { registerTwoFactorPolicyApi } from "./two-factor-policy-routes.js";
import { registerStorefrontApi } from "./storefront-routes.js";
import { registerEventLogApi } from "./event-log-routes.js";
import { registerApiKeyApi } from "./api-key-routes.js";
import { platformPlugin } from "../platform/index.js";
import { refuseApiKeyOutsidePlatform } from "../platform/authentication.js";
import { registerAdminUsersApi } from "./admin-users-routes.js";
import { registerResetRequestApi } from "./reset-request-routes.js";
import { registerTrustedBrowserApi } from "./trusted-browser-routes.js";
import { registerAppSessionsApi } from "./app-sessions-routes.js";
import { registerSessionApi, registerUserSessionsRoute } from "./session-routes.js";
import { sessionSurface } from "./route-surface.js";
import { requireApiSession } from "./session.js";

/**
 * The JSON API under /api: the same services as the pages, JSON bodies only
 * (anything else is 415), Bearer session tokens, OpenAPI at /api/openapi.json
 * (with the docs UI at /api/docs) when TWOSTEP_API_DOCS is on.
 */
export async function apiPlugin(fastify: FastifyInstance, options: { deps: ServiceDeps }) {
  const app = typedApp(fastify);
  app.removeContentTypeParser("text/plain");
  app.addHook("onRequest", refuseApiKeyOutsidePlatform);
  // Every error response of every route is `$ref: ErrorBody`: one schema, not ~90 copies.
  app.addSchema(ErrorBody);
  if (options.deps.config.apiDocs) await registerApiDocs(app, options.deps.config.publicUrl);
  registerLoginApi(app, options.deps);
  registerPasswordResetApi(app, options.deps);
  registerSettingsApi(app, options.deps);
  registerMethodApi(app, options.deps);
  registerSecurityKeyApi(app, options.deps);
  registerRequiredEnrolmentApi(app, options.deps);
  registerTwoFactorPolicyApi(app, options.deps);
  registerStorefrontApi(app, options.deps);
  registerEventLogApi(app, options.deps);
  registerApiKeyApi(app, options.deps);
  await app.register(platformPlugin, { prefix: "/platform/v1", deps: options.deps });
  registerAdminUsersApi(app, options.deps);
  registerResetRequestApi(app, options.deps);
  registerTrustedBrowserApi(app, options.deps);
  registerAppSessionsApi(app, options.deps);
  registerSessionApi(app, options.deps);
  registerUserSessionsRoute(app, options.deps, sessionSurface("/admin/users/:userId/sessions", { onRequest: requireApiSession(options.deps) }), "admin");
}

/**
 * The OpenAPI document (/api/openapi.json) and its UI (/api/docs). Registered only when
 * TWOSTEP_API_DOCS is on (the default outside production): they map every route for anyone.
 * Registered before the routes, so swagger's onRoute hook sees them all. Both plugins are
 * imported here, so a server with the docs off (production's default) never loads them.
 */
async function registerApiDocs(app: ReturnType<typeof typedApp>, publicUrl: string) {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import("@fastify/swagger"), import("@fastify/swagger-ui")]);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "twostep API",
        version: "0.1.0",
        description:
          "Login with two-factor authentication and the user's own security settings. Errors are `{code, message}` from one catalogue. " +
          "Authenticate with `Authorization: Bearer <sessionToken>` from a completed login. " +
          "The platform API under /api/platform/v1 takes an API key instead (`Authorization: Bearer tsk_…`, made on /settings/api-keys or POST /api/me/api-keys) and nothing else: no password, no session token, no 2FA prompt.",
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          session: { type: "http", scheme: "bearer", description: "sessionToken from POST /api/login or /api/login/second-factor" },
          apiKey: { type: "http", scheme: "bearer", bearerFormat: "tsk_…", description: "An API key (platform API only); shown once when created" },
        },
      },
    },
    // Shared schemas keep their $id as their name under components.schemas (not "def-0").
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // swagger-ui does not see the /api prefix it is mounted under: without indexPrefix,
  // GET /api/docs (no trailing slash) links its scripts and styles to /docs/static/….
  await app.register(swaggerUi, { routePrefix: "/docs", indexPrefix: app.prefix, staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
