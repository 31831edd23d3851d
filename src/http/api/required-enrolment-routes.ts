import type { ServiceDeps } from "../../services/deps.js";
import { factorFor } from "../../services/factors/registry.js";
import { typesConfirmedWithCode } from "../../services/factors/enrolments.js";
import { requiredEnrolmentStep, type RequiredEnrolmentConfirmed } from "../../services/enrolment/required-enrolment.js";
import { requestContext } from "../context.js";
import { totpSetupAnswer } from "./setup-answers.js";
import { sendApiFailure } from "../failure.js";
import { iso } from "./present.js";
import {
  CodeSentResponse,
  EnrolCodeBody,
  EnrolFlowBody,
  EnrolKeyBody,
  EnrolSmsBody,
  errors,
  KeyOptionsResponse,
  MethodIdParams,
  RequiredConfirmResponse,
  SmsSetupResponse,
  TotpSetupResponse,
} from "./schemas.js";
import type { TypedApp } from "../typed-app.js";

/**
 * P1 after the date, in the API: the `flowId` of an `enrolment_required` login
 * sets up a first method here (TOTP, SMS or a security key, as the policy allows). The confirm
 * answer carries the recovery codes and, with them, the session token: the
 * codes are shown in the same answer that issues the session.
 */
export function registerRequiredEnrolmentApi(app: TypedApp, deps: ServiceDeps) {
  const doc = (summary: string) => ({ tags: ["login"], summary });
  /** The first method is on: the codes and the session in one answer. Issue 7: the login completed, so this client is remembered (a new browserToken each time). */
  const authenticated = (result: RequiredEnrolmentConfirmed) => {
    return { status: "authenticated" as const, enabled: true as const, recoveryCodes: result.recoveryCodes, sessionToken: result.sessionToken!, ...(result.browserToken ? { browserToken: result.browserToken } : {}) };
  };

  app.post(
    "/login/enrol/totp",
    { schema: { ...doc("Required 2FA: begin authenticator-app setup for a login that may only enrol"), body: EnrolFlowBody, response: { 200: TotpSetupResponse, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      const { flowId } = request.body;
      const begun = await requiredEnrolmentStep(deps, flowId, "totp", "begin", null, requestContext(request));
      if (!begun.ok) return sendApiFailure(reply, begun);
      const view = await requiredEnrolmentStep(deps, flowId, "totp", "show", begun.methodId, requestContext(request));
      if (!view.ok) return sendApiFailure(reply, view);
      return totpSetupAnswer(view);
    },
  );

  app.post(
    "/login/enrol/sms",
    { schema: { ...doc("Required 2FA: begin SMS setup (a code is texted)"), body: EnrolSmsBody, response: { 200: SmsSetupResponse, ...errors(400, 401, 403, 409, 429, 502) } } },
    async (request, reply) => {
      const body = request.body;
      const result = await requiredEnrolmentStep(deps, body.flowId, "sms", "begin", body, requestContext(request));
      return result.ok ? { methodId: result.methodId, maskedPhone: result.maskedPhone, codeExpiresAt: iso(result.codeExpiresAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/login/enrol/sms/:methodId/resend",
    { schema: { ...doc("Required 2FA: text a new setup code"), params: MethodIdParams, body: EnrolFlowBody, response: { 200: CodeSentResponse, ...errors(400, 401, 403, 410, 429, 502) } } },
    async (request, reply) => {
      const result = await requiredEnrolmentStep(deps, request.body.flowId, "sms", "resend", request.params.methodId, requestContext(request));
      return result.ok ? { sent: true as const, expiresAt: iso(result.expiresAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/login/enrol/security-key/options",
    { schema: { ...doc("Required 2FA: begin adding a security key or passkey; answers the browser's creation options for a challenge bound to this login"), body: EnrolFlowBody, response: { 200: KeyOptionsResponse, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      const started = await requiredEnrolmentStep(deps, request.body.flowId, "webauthn", "begin", null, requestContext(request));
      return started.ok ? { expiresAt: iso(started.expiresAt), webauthnOptions: started.browserOptions as { challenge: string } } : sendApiFailure(reply, started);
    },
  );

  app.post(
    "/login/enrol/security-key",
    { schema: { ...doc("Required 2FA: finish with the key's answer and a name; answers the recovery codes and the session token"), body: EnrolKeyBody, response: { 200: RequiredConfirmResponse, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const body = request.body;
      const result = await requiredEnrolmentStep(deps, body.flowId, "webauthn", "confirm", body, requestContext(request), { codesInThisAnswer: true });
      return result.ok ? authenticated(result) : sendApiFailure(reply, result);
    },
  );

  for (const type of typesConfirmedWithCode()) {
    app.post(
      `/login/enrol/${type}/:methodId/confirm`,
      {
        schema: {
          ...doc(`Required 2FA: finish ${factorFor(type).words.label} setup; answers the recovery codes and the session token`),
          params: MethodIdParams,
          body: EnrolCodeBody,
          response: { 200: RequiredConfirmResponse, ...errors(400, 401, 403, 409, 410, 429) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const result = await requiredEnrolmentStep(deps, body.flowId, type, "confirm", { methodId: request.params.methodId, code: body.code }, requestContext(request), { codesInThisAnswer: true });
        return result.ok ? authenticated(result) : sendApiFailure(reply, result);
      },
    );
  }
}
