import type { ServiceDeps } from "../../services/deps.js";
import { startLogin, type LoginStart } from "../../services/login/start-login.js";
import { resendSecondStepCode, switchSecondStepMethod, verifySecondStepCode, verifySecondStepRecoveryCode, type SecondStepSuccess } from "../../services/login/second-step.js";
import { endSession } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { iso, presentBrowserPrompt, presentDelivery, presentMethod } from "./present.js";
import { CodeSentResponse, errors, FlowBody, LoginBody, LoginResponse, RecoveryLoginBody, SecondFactorBody, SessionResponse, SwitchMethodBody } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";
import { setTrustedBrowserCookie, trustedBrowserTokenOf } from "../trusted-browser-cookie.js";

const recoveryMessages = {
  keep: "You logged in with a recovery code. If you lost your device, reset two-factor authentication.",
  disable: "You logged in with a recovery code, so two-factor authentication is now disabled. Set it up again.",
};

/** The second step stored the new browser token in its own transaction: the answer only carries it. */
function sessionBody(success: SecondStepSuccess) {
  return {
    status: "authenticated" as const,
    sessionToken: success.sessionToken,
    ...(success.browserToken ? { browserToken: success.browserToken } : {}),
    ...(success.recovery ? { recovery: { ...success.recovery, message: recoveryMessages[success.recovery.policy] } } : {}),
  };
}

/**
 * POST /api/login's answer; a completed password reset (PR1) answers the same, so it can never skip the second step.
 * Issue 7: a completed login answers a new browserToken unless the request's is still this user's (stored in the login's transaction).
 */
export function presentLoginStart(result: LoginStart) {
  if (result.kind === "authenticated") {
    return {
      status: "authenticated" as const,
      sessionToken: result.sessionToken,
      ...(result.browserToken ? { browserToken: result.browserToken } : {}),
      ...(result.twoFactorDeadline !== null ? { twoFactorDeadline: iso(result.twoFactorDeadline) } : {}),
    };
  }
  if (result.kind === "enrolment_required") {
    return { status: "enrolment_required" as const, flowId: result.flowToken, expiresAt: iso(result.flow.expiresAt), deadline: iso(result.deadline), allowedMethods: result.allowedMethods };
  }
  return {
    status: "second_factor_required" as const,
    flowId: result.flowToken,
    expiresAt: iso(result.flow.expiresAt),
    methods: result.methods.map(presentMethod),
    currentMethodId: result.flow.methodId,
    codeDelivery: presentDelivery(result.delivery),
    ...presentBrowserPrompt(result.delivery),
  };
}

/** The same login as the pages (L6): step 1, step 2 by code or recovery code, method switch, log out. */
export function registerLoginApi(app: TypedApp, deps: ServiceDeps) {
  const secure = deps.config.publicUrl.startsWith("https://");
  app.post(
    "/login",
    { schema: { tags: ["login"], summary: "Step 1: email and password", body: LoginBody, response: { 200: LoginResponse, ...errors(400, 401, 415, 429) } } },
    async (request, reply) => {
      const body = request.body;
      const result = await startLogin(deps, { ...body, trustedBrowserToken: trustedBrowserTokenOf(request) }, requestContext(request));
      return result.ok ? presentLoginStart(result) : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/login/second-factor",
    { schema: { tags: ["login"], summary: "Step 2: a code from the current (or named) method, or a security key's answer as `credential`", body: SecondFactorBody, response: { 200: SessionResponse, ...errors(400, 401, 403, 415, 429) } } },
    async (request, reply) => {
      const body = request.body;
      const result = await verifySecondStepCode(deps, body.flowId, body, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      setTrustedBrowserCookie(reply, secure, result.trustedBrowser);
      return sessionBody(result);
    },
  );

  app.post(
    "/login/recovery-code",
    { schema: { tags: ["login"], summary: "Step 2: a recovery code", body: RecoveryLoginBody, response: { 200: SessionResponse, ...errors(400, 401, 403, 415, 429) } } },
    async (request, reply) => {
      const body = request.body;
      const result = await verifySecondStepRecoveryCode(deps, body.flowId, body, requestContext(request));
      return result.ok ? sessionBody(result) : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/login/method",
    { schema: { tags: ["login"], summary: "Switch the second step to another enrolled method", body: SwitchMethodBody, response: { 200: LoginResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const body = request.body;
      const switched = await switchSecondStepMethod(deps, body.flowId, body.methodId, requestContext(request));
      if (!switched.ok) return sendApiFailure(reply, switched);
      return {
        status: "second_factor_required" as const,
        flowId: body.flowId,
        expiresAt: iso(switched.flow.expiresAt),
        methods: switched.methods.map(presentMethod),
        currentMethodId: switched.flow.methodId,
        codeDelivery: presentDelivery(switched.delivery),
        ...presentBrowserPrompt(switched.delivery),
      };
    },
  );

  app.post(
    "/login/resend",
    { schema: { tags: ["login"], summary: "A new challenge for the current method: a new SMS code (throttled; replaces the previous one), or new options for a security key", body: FlowBody, response: { 200: CodeSentResponse, ...errors(400, 401, 403, 429, 502) } } },
    async (request, reply) => {
      const result = await resendSecondStepCode(deps, request.body.flowId, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { sent: true as const, expiresAt: iso(result.expiresAt), ...(result.browserOptions === undefined ? {} : { webauthnOptions: result.browserOptions as { challenge: string } }) };
    },
  );

  app.post(
    "/logout",
    { schema: { tags: ["session"], summary: "End this session", security: [{ session: [] }], response: { 204: { type: "null" }, ...errors(401) } }, preHandler: requireApiSession(deps) },
    async (request, reply) => {
      await endSession(deps, request.auth!, requestContext(request));
      return reply.code(204).send();
    },
  );
}
