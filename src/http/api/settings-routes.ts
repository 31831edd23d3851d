import type { ServiceDeps } from "../../services/deps.js";
import { disableTwoFactor } from "../../services/enrolment/disable-two-factor.js";
import { regenerateRecoveryCodes } from "../../services/recovery/recovery-codes.js";
import { securityOverview } from "../../services/enrolment/security-overview.js";
import { startStepUpInBrowser, stepUp } from "../../services/sessions/step-up.js";
import { beginTotpEnrolment, confirmTotpEnrolment, showTotpEnrolment } from "../../services/factors/totp/enrolment.js";
import { requestContext } from "../context.js";
import { totpSetupAnswer } from "./setup-answers.js";
import { sendApiFailure } from "../failure.js";
import { iso, presentMethod } from "./present.js";
import {
  CodeBody,
  ConfirmResponse,
  DisableBody,
  DisableResponse,
  errors,
  MethodIdParams,
  PasswordBody,
  ProofBody,
  StepUpBody,
  StepUpOptionsResponse,
  StepUpResponse,
  RecoveryCodesResponse,
  SecurityResponse,
  TotpSetupResponse,
} from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

/** Security settings for the session's own user (M1, R1–R4, D1). */
export function registerSettingsApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { preHandler: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["two-factor"], summary, security: [{ session: [] }] });

  app.get("/me/security", { ...auth, schema: { ...doc("2FA status, methods and recovery codes left"), response: { 200: SecurityResponse, ...errors(401) } } }, async (request) => {
    const overview = await securityOverview(deps, request.auth!);
    const { user } = request.auth!;
    return {
      user: { id: user.id, email: user.email, role: user.role },
      twoFactorEnabled: overview.twoFactorEnabled,
      methods: overview.methods.map(presentMethod),
      recoveryCodes: overview.recoveryCodes,
      recommendReset: overview.recommendReset,
      policy: overview.policy,
      ...(overview.twoFactorDeadline !== null ? { twoFactorDeadline: iso(overview.twoFactorDeadline) } : {}),
    };
  });

  app.post(
    "/me/two-factor/totp",
    { ...auth, schema: { ...doc("Begin authenticator-app setup (password again)"), body: PasswordBody, response: { 200: TotpSetupResponse, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const begun = await beginTotpEnrolment(deps, request.auth!, request.body, requestContext(request));
      if (!begun.ok) return sendApiFailure(reply, begun);
      const view = await showTotpEnrolment(deps, request.auth!, begun.methodId);
      if (!view.ok) return sendApiFailure(reply, view);
      return totpSetupAnswer(view);
    },
  );

  app.post(
    "/me/two-factor/totp/:methodId/confirm",
    { ...auth, schema: { ...doc("Finish setup with a current code; returns recovery codes once"), params: MethodIdParams, body: CodeBody, response: { 200: ConfirmResponse, ...errors(400, 401, 403, 410, 429) } } },
    async (request, reply) => {
      const { methodId } = request.params;
      const result = await confirmTotpEnrolment(deps, request.auth!, { methodId, code: request.body.code }, requestContext(request));
      return result.ok ? { enabled: true as const, recoveryCodes: result.recoveryCodes } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/recovery-codes",
    { ...auth, schema: { ...doc("Generate a new set of recovery codes (a current code, or the password within the step-up window); the old set dies"), body: ProofBody, response: { 200: RecoveryCodesResponse, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const result = await regenerateRecoveryCodes(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { recoveryCodes: result.codes } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/two-factor/disable",
    { ...auth, schema: { ...doc("Disable 2FA with the password within the step-up window (and a new one under rotatePasswordOnDisable)"), body: DisableBody, response: { 200: DisableResponse, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const result = await disableTwoFactor(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { disabled: true as const, passwordChanged: result.passwordChanged } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/step-up",
    {
      ...auth,
      schema: { ...doc("Confirm it's you: a current code or a security key's answer to /me/step-up/options (2FA on), or the password (2FA off), starts a fresh step-up window"), body: StepUpBody, response: { 200: StepUpResponse, ...errors(400, 401, 429) } },
    },
    async (request, reply) => {
      const result = await stepUp(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { authenticatedAt: iso(result.authenticatedAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/step-up/options",
    {
      ...auth,
      schema: { ...doc("Confirm it's you with a security key or passkey: the browser's request options for a challenge bound to this session (then POST /me/step-up with credential)"), response: { 200: StepUpOptionsResponse, ...errors(400, 401) } },
    },
    async (request, reply) => {
      const started = await startStepUpInBrowser(deps, request.auth!, requestContext(request));
      if (!started) return sendApiFailure(reply, { ok: false, code: "invalid_request" });
      return started.ok ? { expiresAt: iso(started.expiresAt), webauthnOptions: started.browserOptions as { challenge: string } } : sendApiFailure(reply, started);
    },
  );
}
