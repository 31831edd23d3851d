import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import { createApiKey } from "../../services/api-keys/create-api-key.js";
import { apiKeyStatus, listApiKeys, revokeApiKey } from "../../services/api-keys/manage-api-keys.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { ApiKeyIdParams } from "../api/api-key-schemas.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { apiKeyPages } from "./views/api-keys.js";
import { errorPage } from "./views/error.js";
import type { TypedApp } from "../typed-app.js";

const title = "API keys";
/** Step-up happens on the confirm page (built elsewhere), which comes back here. */
const confirmUrl = "/settings/confirm?next=/settings/api-keys";

/** API1 on the settings pages: list, create (the key shown once), revoke after a confirmation page. No JavaScript needed. */
export function registerApiKeyPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  const showList = async (request: FastifyRequest, reply: FastifyReply, extra: { status?: number; values?: { name?: string; expiresInDays?: string }; errors?: Partial<Record<"name" | "expiresInDays", string>> } = {}) => {
    const listed = await listApiKeys(deps, sessionActor(request.auth!), requestContext(request));
    if (!listed.ok) return sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, errorPage({ title: "Not allowed", message: errorMessage(listed.code) }));
    const { status, ...view } = extra;
    return sendPage(reply, { title, notice: noticeFrom(request), ...(status ? { status } : {}) }, apiKeyPages.list({ csrfToken: csrfToken(reply), keys: listed.keys, ...view }));
  };

  app.get("/settings/api-keys", { preHandler: requireSession }, (request, reply) => showList(request, reply));

  app.post(
    "/settings/api-keys",
    { schema: formSchema({ name: 256, expiresInDays: 8 }), preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body;
      const days = /^\d{1,3}$/.test(body.expiresInDays) ? Number(body.expiresInDays) : Number.NaN;
      const result = await createApiKey(deps, sessionActor(request.auth!), { name: body.name, expiresInDays: days }, requestContext(request));
      if (result.ok) {
        // Shown in this response only, never through a redirect or a URL (it would sit in history and logs).
        return sendPage(reply, { title: "Your new API key" }, apiKeyPages.created({ key: result.key, apiKey: { ...result.apiKey, status: apiKeyStatus(result.apiKey, deps.clock.now()) } }));
      }
      if (result.code === "step_up_required") return redirect(reply, confirmUrl);
      if (result.field === "name" || result.field === "expiresInDays") {
        return showList(request, reply, { status: 400, values: { name: body.name, expiresInDays: body.expiresInDays }, errors: { [result.field]: errorMessage(result.code) } });
      }
      return sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, errorPage({ title: "Not allowed", message: errorMessage(result.code) }));
    },
  );

  app.get("/settings/api-keys/:id/revoke", { schema: { params: ApiKeyIdParams }, preHandler: requireSession }, async (request, reply) => {
    const { id } = request.params;
    const listed = await listApiKeys(deps, sessionActor(request.auth!), requestContext(request));
    const apiKey = listed.ok ? listed.keys.find((key) => key.id === id && key.status === "active") : undefined;
    if (!apiKey) return redirect(reply, "/settings/api-keys");
    return sendPage(reply, { title: "Revoke API key", narrow: true }, apiKeyPages.confirmRevoke({ csrfToken: csrfToken(reply), apiKey }));
  });

  app.post("/settings/api-keys/:id/revoke", { schema: { params: ApiKeyIdParams, ...formSchema({}) }, preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const { id } = request.params;
    const result = await revokeApiKey(deps, sessionActor(request.auth!), id, requestContext(request), { ownerId: request.auth!.user.id });
    if (!result.ok) return sendPage(reply, { title: "Not found", narrow: true, status: 404 }, errorPage({ title: "That did not work", message: errorMessage(result.code) }));
    return redirect(reply, "/settings/api-keys?notice=api_key_revoked");
  });
}
