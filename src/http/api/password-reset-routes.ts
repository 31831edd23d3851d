import type { ServiceDeps } from "../../services/deps.js";
import { completePasswordReset } from "../../services/reset/password-reset-complete.js";
import { requestPasswordReset } from "../../services/reset/password-reset-request.js";
import { requestContext } from "../context.js";
import { resetRequestedWords } from "../pages/views/password-reset.js";
import { presentLoginStart } from "./login-routes.js";
import { sendApiFailure } from "../failure.js";
import { errors, LoginResponse, PasswordResetCompleteBody, PasswordResetRequestBody, PasswordResetRequestedResponse } from "./schemas.js";
import type { TypedApp } from "../typed-app.js";

/** PR1 in the JSON API: the same services and answers as the pages. */
export function registerPasswordResetApi(app: TypedApp, deps: ServiceDeps) {
  app.post(
    "/password-reset/request",
    {
      schema: {
        tags: ["login"],
        summary: "Email a password reset link (the same 202 whether or not an account has the email)",
        body: PasswordResetRequestBody,
        response: { 202: PasswordResetRequestedResponse, ...errors(400, 415, 429) },
      },
    },
    async (request, reply) => {
      const result = await requestPasswordReset(deps, request.body, requestContext(request));
      if (!result.ok) {
        if (result.retryAfterSeconds) reply.header("retry-after", String(result.retryAfterSeconds));
        return sendApiFailure(reply, result);
      }
      return reply.code(202).send({ status: "requested", message: resetRequestedWords });
    },
  );

  app.post(
    "/password-reset/complete",
    {
      schema: {
        tags: ["login"],
        summary: "Set a new password with the emailed token; answers like POST /api/login (a 2FA user gets the second step, never a session)",
        body: PasswordResetCompleteBody,
        response: { 200: LoginResponse, ...errors(400, 415, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await completePasswordReset(deps, body, requestContext(request));
      return result.ok ? presentLoginStart(result) : sendApiFailure(reply, result);
    },
  );
}
