import type { ServiceDeps } from "../../services/deps.js";
import { forgetAllTrustedBrowsers, forgetTrustedBrowser } from "../../services/login/trusted-browsers.js";
import { requestContext } from "../context.js";
import { BrowserIdParams, ClientIdParams } from "../params.js";
import { signOutOfApp } from "../../services/apps/signed-in-apps.js";
import { formSchema } from "./form-schema.js";
import { redirect } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import type { TypedApp } from "../typed-app.js";

/** L7: "Forget" one trusted browser and "Forget all", from the security page (CSRF on both; only the user's own); and "Sign out" of one app (issue 15). */
export function registerTrustedBrowserPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  app.post(
    "/settings/browsers/:browserId/forget",
    { schema: { ...formSchema({}), params: BrowserIdParams }, preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const result = await forgetTrustedBrowser(deps, request.auth!.user, request.params.browserId, requestContext(request));
      return redirect(reply, `/settings/security?notice=${result.ok ? "browser_forgotten" : "browser_not_found"}`);
    },
  );

  // Issue 15: "Sign out" of one app from "Apps you are signed in to" (its back-channel logout goes through the outbox).
  app.post(
    "/settings/apps/:clientId/sign-out",
    { schema: { ...formSchema({}), params: ClientIdParams }, preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const result = await signOutOfApp(deps, request.auth!.user, request.params.clientId, requestContext(request));
      return redirect(reply, `/settings/security?notice=${result.ok ? "app_signed_out" : "app_not_signed_in"}`);
    },
  );

  app.post("/settings/browsers/forget-all", { schema: formSchema({}), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    await forgetAllTrustedBrowsers(deps, request.auth!.user, requestContext(request));
    return redirect(reply, "/settings/security?notice=browsers_forgotten");
  });
}
