import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../../services/deps.js";
import { forgetAllTrustedBrowsers, forgetTrustedBrowser, listTrustedBrowsers } from "../../services/login/trusted-browsers.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { BrowserIdParams } from "../params.js";
import { iso } from "./present.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const TrustedBrowser = Type.Object({
  id: Type.String({ description: "The browser's id (the stored hash of its cookie token; the token itself is never shown)" }),
  label: Type.String({ description: "From the user agent when it was remembered, e.g. \"Firefox on Linux\"" }),
  rememberedAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
});
const BrowsersResponse = Type.Object({ browsers: Type.Array(TrustedBrowser, { description: "Newest first; only live ones" }) });
const ForgottenResponse = Type.Object({ forgotten: Type.Integer({ description: "How many browsers were forgotten" }) });

/** L7: the session user's trusted browsers ("Don't ask again on this browser"): list, forget one, forget all. */
export function registerTrustedBrowserApi(app: TypedApp, deps: ServiceDeps) {
  // onRequest, not preHandler: who is asking is settled before the path's browser id is checked (401 first).
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["two-factor"], summary, security: [{ session: [] }] });

  app.get("/me/browsers", { ...auth, schema: { ...doc("Trusted browsers: they skip the second step until they expire"), response: { 200: BrowsersResponse, ...errors(401) } } }, async (request) => {
    const browsers = await listTrustedBrowsers(deps, request.auth!.user);
    return { browsers: browsers.map((browser) => ({ id: browser.id, label: browser.label, rememberedAt: iso(browser.createdAt), expiresAt: iso(browser.expiresAt) })) };
  });

  app.delete(
    "/me/browsers/:browserId",
    { ...auth, schema: { ...doc("Forget one trusted browser: its next login asks for the second step"), params: BrowserIdParams, response: { 200: ForgottenResponse, ...errors(400, 401, 404) } } },
    async (request, reply) => {
      const result = await forgetTrustedBrowser(deps, request.auth!.user, request.params.browserId, requestContext(request));
      return result.ok ? { forgotten: result.forgotten } : sendApiFailure(reply, result);
    },
  );

  app.delete("/me/browsers", { ...auth, schema: { ...doc("Forget every trusted browser"), response: { 200: ForgottenResponse, ...errors(401) } } }, async (request) =>
    forgetAllTrustedBrowsers(deps, request.auth!.user, requestContext(request)),
  );
}
