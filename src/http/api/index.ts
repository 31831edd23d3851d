import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { registerLoginApi } from "./login-routes.js";
import { registerPasswordResetApi } from "./password-reset-routes.js";
import { registerSettingsApi } from "./settings-routes.js";
import { registerMethodApi } from "./method-routes.js";
import { ErrorBody } from "./schemas.js";
import { registerRequiredEnrolmentApi } from "./required-enrolment-routes.js";
import { registerTwoFactorPolicyApi } from "./two-factor-policy-routes.js";
import { registerResetRequestApi } from "./reset-request-routes.js";

/**
 * The JSON API under /api: the same services as the pages, JSON bodies only
 * (anything else is 415), Bearer session tokens, OpenAPI at /api/openapi.json.
 */
export async function apiPlugin(app: FastifyInstance, options: { deps: ServiceDeps }) {
  app.removeContentTypeParser("text/plain");
  // Every error response of every route is `$ref: ErrorBody`: one schema, not ~90 copies.
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "twostep API",
        version: "0.1.0",
        description:
          "Login with two-factor authentication and the user's own security settings. Errors are `{code, message}` from one catalogue. " +
          "Authenticate with `Authorization: Bearer <sessionToken>` from a completed login.",
      },
      servers: [{ url: options.deps.config.publicUrl }],
      components: { securitySchemes: { session: { type: "http", scheme: "bearer", description: "sessionToken from POST /api/login or /api/login/second-factor" } } },
    },
    // Shared schemas keep their $id as their name under components.schemas (not "def-0").
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // swagger-ui does not see the /api prefix it is mounted under: without indexPrefix,
  // GET /api/docs (no trailing slash) links its scripts and styles to /docs/static/….
  await app.register(swaggerUi, { routePrefix: "/docs", indexPrefix: app.prefix, staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  registerLoginApi(app, options.deps);
  registerPasswordResetApi(app, options.deps);
  registerSettingsApi(app, options.deps);
  registerMethodApi(app, options.deps);
  registerRequiredEnrolmentApi(app, options.deps);
  registerTwoFactorPolicyApi(app, options.deps);
  registerResetRequestApi(app, options.deps);
}
