import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { sendApiError } from "../plugins/errors.js";
import { requireApiKey } from "./authentication.js";
import { registerPlatformMe } from "./me-routes.js";

/**
 * The platform API under /api/platform/v1 (API1): API keys only, never a
 * 2FA prompt. Its own plugin scope, so the key check is a hook on every route
 * here and no session route (/api/me/…) is reachable with a key. It has no
 * route that manages keys or security settings (SECURITY 32).
 *
 * Every route takes `request.actor!` and calls a service with it. To add
 * (services taking an Actor): the account's users with 2FA coverage
 * (`listAccountUsers`), customers with 2FA status (`listCustomers`), the
 * event log (`viewEventLog`), each as `register…(app, deps)` below.
 */
export async function platformPlugin(app: FastifyInstance, options: { deps: ServiceDeps }) {
  app.addHook("onRequest", requireApiKey(options.deps));
  // An unknown path here is still the platform API: no key, 401 (the hook above runs first); a key, 404.
  app.setNotFoundHandler((_request, reply) => sendApiError(reply, "not_found"));
  registerPlatformMe(app, options.deps);
}



