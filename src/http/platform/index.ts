import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { typedApp } from "../typed-app.js";
import { sendApiError } from "../plugins/errors.js";
import { requireApiKey } from "./authentication.js";
import { registerPlatformMe } from "./me-routes.js";
import { registerUsersListRoute } from "../api/admin-users-routes.js";
import { registerCustomersListRoute } from "../api/storefront-routes.js";
import { registerPlatformEventLogRoute } from "../api/event-log-routes.js";
import { platformSurface } from "../api/route-surface.js";
import { registerUserSessionsRoute } from "../api/session-routes.js";

/**
 * The platform API under /api/platform/v1 (API1): API keys only, never a
 * 2FA prompt. Its own plugin scope, so the key check is a hook on every route
 * here and no session route (/api/me/…) is reachable with a key. It has no
 * route that manages keys or security settings (SECURITY 32).
 *
 * Every route takes `request.actor!` and calls the same service as the session
 * API: the account's users with 2FA status and coverage (`/users`), the
 * reseller's customers with 2FA status (`/customers`), the event log (`/events`),
 * where a user is signed in (`/users/{userId}/sessions`, read only).
 */
export async function platformPlugin(fastify: FastifyInstance, options: { deps: ServiceDeps }) {
  const app = typedApp(fastify);
  app.addHook("onRequest", requireApiKey(options.deps));
  // An unknown path here is still the platform API: no key, 401 (the hook above runs first); a key, 404.
  app.setNotFoundHandler((_request, reply) => sendApiError(reply, "not_found"));
  registerPlatformMe(app, options.deps);
  registerUsersListRoute(app, options.deps, platformSurface("/users"), "platform");
  registerCustomersListRoute(app, options.deps, platformSurface("/customers"), "platform");
  registerPlatformEventLogRoute(app, options.deps);
  registerUserSessionsRoute(app, options.deps, platformSurface("/users/:userId/sessions"), "platform");
}



