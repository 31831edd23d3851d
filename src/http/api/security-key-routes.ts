import type { ServiceDeps } from "../../services/deps.js";
import { finishKeyEnrolment, startKeyEnrolment } from "../../services/factors/webauthn/enrolment.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import type { TypedApp } from "../typed-app.js";
import { iso } from "./present.js";
import { errors, KeyOptionsBody, KeyOptionsResponse, KeyRegisterBody, KeyRegisteredResponse } from "./schemas.js";
import { requireApiSession } from "./session.js";

/** Security keys and passkeys in the API: the same ceremony as the pages, as JSON. */
export function registerSecurityKeyApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { preHandler: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["methods"], summary, security: [{ session: [] }] });

  app.post(
    "/me/security-keys/options",
    {
      ...auth,
      schema: {
        ...doc("Begin adding a security key or passkey: the password (2FA off) or a recent second factor (2FA on); answers the browser's creation options"),
        body: KeyOptionsBody,
        response: { 200: KeyOptionsResponse, ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const result = await startKeyEnrolment(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { expiresAt: iso(result.expiresAt), webauthnOptions: result.browserOptions as { challenge: string } } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/security-keys",
    {
      ...auth,
      schema: {
        ...doc("Finish adding a security key or passkey with the browser's answer and a name; recovery codes with the first method"),
        body: KeyRegisterBody,
        response: { 200: KeyRegisteredResponse, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const result = await finishKeyEnrolment(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { enabled: true as const, methodId: result.methodId, recoveryCodes: result.recoveryCodes } : sendApiFailure(reply, result);
    },
  );
}
