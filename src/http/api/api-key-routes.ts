import { apiKeyStatus } from "../../services/api-keys/manage-api-keys.js";
import { createApiKey } from "../../services/api-keys/create-api-key.js";
import { listApiKeys, revokeApiKey } from "../../services/api-keys/manage-api-keys.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { ApiKeyIdParams, ApiKeysResponse, CreateApiKeyBody, CreatedApiKeyResponse, presentApiKey, UserApiKeyParams, UserIdParams } from "./api-key-schemas.js";
import { sendApiFailure } from "../failure.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

/**
 * API1: the session's own keys, and an admin's view of a user's keys. Session
 * bearer only: an API key here is 401 (SECURITY 32: keys cannot mint keys).
 */
export function registerApiKeyApi(app: TypedApp, deps: ServiceDeps) {
  // Checked on request, before the body is validated: a caller without a session learns nothing about the body's shape.
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string, tag = "api-keys") => ({ tags: [tag], summary, security: [{ session: [] }] });

  app.post(
    "/me/api-keys",
    {
      ...auth,
      schema: {
        ...doc("Create an API key for the platform API (fresh second factor needed with 2FA on); the key is in this response only"),
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeyResponse, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const result = await createApiKey(deps, sessionActor(request.auth!), request.body, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      const view = { ...result.apiKey, status: apiKeyStatus(result.apiKey, deps.clock.now()) };
      return reply.code(201).send({ ...presentApiKey(view), key: result.key });
    },
  );

  app.get("/me/api-keys", { ...auth, schema: { ...doc("The user's API keys (never the keys themselves)"), response: { 200: ApiKeysResponse, ...errors(401) } } }, async (request, reply) => {
    const result = await listApiKeys(deps, sessionActor(request.auth!), requestContext(request));
    return result.ok ? { apiKeys: result.keys.map(presentApiKey) } : sendApiFailure(reply, result);
  });

  app.delete(
    "/me/api-keys/:id",
    { ...auth, schema: { ...doc("Revoke one of the user's API keys; it stops working at once"), params: ApiKeyIdParams, response: { 204: { type: "null" }, ...errors(401, 403, 404) } } },
    async (request, reply) => {
      const { id } = request.params;
      const result = await revokeApiKey(deps, sessionActor(request.auth!), id, requestContext(request), { ownerId: request.auth!.user.id });
      return result.ok ? reply.code(204).send() : sendApiFailure(reply, result);
    },
  );

  app.get(
    "/admin/users/:userId/api-keys",
    { ...auth, schema: { ...doc("A user's API keys, for an admin of their account", "admin"), params: UserIdParams, response: { 200: ApiKeysResponse, ...errors(401, 403, 404) } } },
    async (request, reply) => {
      const { userId } = request.params;
      const result = await listApiKeys(deps, sessionActor(request.auth!), requestContext(request), userId);
      return result.ok ? { apiKeys: result.keys.map(presentApiKey) } : sendApiFailure(reply, result);
    },
  );

  app.delete(
    "/admin/users/:userId/api-keys/:id",
    { ...auth, schema: { ...doc("Revoke a user's API key, as an admin of their account; the user is told by email", "admin"), params: UserApiKeyParams, response: { 204: { type: "null" }, ...errors(401, 403, 404) } } },
    async (request, reply) => {
      const { userId, id } = request.params;
      const result = await revokeApiKey(deps, sessionActor(request.auth!), id, requestContext(request), { ownerId: userId });
      return result.ok ? reply.code(204).send() : sendApiFailure(reply, result);
    },
  );
}
