import type { ServiceDeps } from "../../services/deps.js";
import { listOwnMethods } from "../../services/enrolment/own-methods.js";
import { deleteMethod, makeDefaultMethod, renameMethod, resetMethod, sendMethodVerificationCode } from "../../services/enrolment/methods.js";
import { beginSmsEnrolment, confirmSmsEnrolment, resendSmsEnrolmentCode } from "../../services/factors/sms/enrolment.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { iso, presentMethod } from "./present.js";
import { resetAnswers } from "./setup-answers.js";
import {
  CodeBody,
  CodeSentResponse,
  ConfirmResponse,
  DeleteMethodBody,
  DeleteMethodResponse,
  errors,
  MethodIdParams,
  MethodsResponse,
  OkResponse,
  RenameBody,
  ResetBody,
  SmsSetupBody,
  SmsSetupResponse,
  TotpSetupResponse,
} from "./schemas.js";
import { Type } from "@sinclair/typebox";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

/** M2–M4 in the API: SMS setup, and listing, renaming, defaulting, resetting and deleting methods. */
export function registerMethodApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { preHandler: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["methods"], summary, security: [{ session: [] }] });

  app.post(
    "/me/two-factor/sms",
    { ...auth, schema: { ...doc("Begin SMS setup: password and mobile number; a code is texted"), body: SmsSetupBody, response: { 200: SmsSetupResponse, ...errors(400, 401, 403, 409, 429, 502) } } },
    async (request, reply) => {
      const result = await beginSmsEnrolment(deps, request.auth!, request.body, requestContext(request));
      return result.ok ? { methodId: result.methodId, maskedPhone: result.maskedPhone, codeExpiresAt: iso(result.codeExpiresAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/two-factor/sms/:methodId/resend",
    { ...auth, schema: { ...doc("Text a new setup code (throttled; replaces the previous one)"), params: MethodIdParams, response: { 200: CodeSentResponse, ...errors(400, 401, 410, 429, 502) } } },
    async (request, reply) => {
      const result = await resendSmsEnrolmentCode(deps, request.auth!, request.params.methodId, requestContext(request));
      return result.ok ? { sent: true as const, expiresAt: iso(result.expiresAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/two-factor/sms/:methodId/confirm",
    { ...auth, schema: { ...doc("Finish SMS setup with the texted code; recovery codes with the first method"), params: MethodIdParams, body: CodeBody, response: { 200: ConfirmResponse, ...errors(400, 401, 403, 410, 429) } } },
    async (request, reply) => {
      const result = await confirmSmsEnrolment(deps, request.auth!, { methodId: request.params.methodId, code: request.body.code }, requestContext(request));
      return result.ok ? { enabled: true as const, recoveryCodes: result.recoveryCodes } : sendApiFailure(reply, result);
    },
  );

  app.get("/me/methods", { ...auth, schema: { ...doc("The user's enrolled methods"), response: { 200: MethodsResponse, ...errors(401) } } }, async (request) => ({
    methods: (await listOwnMethods(deps, request.auth!)).map(presentMethod),
  }));

  app.patch(
    "/me/methods/:methodId",
    { ...auth, schema: { ...doc("Rename a method (step-up window when 2FA is on)"), params: MethodIdParams, body: RenameBody, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const result = await renameMethod(deps, request.auth!, request.params.methodId, request.body.name, requestContext(request));
      return result.ok ? { ok: true as const } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/methods/:methodId/default",
    { ...auth, schema: { ...doc("Make a method the default for the second step (step-up window)"), params: MethodIdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const result = await makeDefaultMethod(deps, request.auth!, request.params.methodId, requestContext(request));
      return result.ok ? { ok: true as const } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/methods/:methodId/send-code",
    { ...auth, schema: { ...doc("Text a code to an SMS method, to confirm a reset, delete or recovery-code regeneration"), params: MethodIdParams, response: { 200: CodeSentResponse, ...errors(400, 401, 404, 429, 502) } } },
    async (request, reply) => {
      const result = await sendMethodVerificationCode(deps, request.auth!, request.params.methodId, requestContext(request));
      return result.ok ? { sent: true as const, expiresAt: iso(result.expiresAt) } : sendApiFailure(reply, result);
    },
  );

  app.post(
    "/me/methods/:methodId/reset",
    {
      ...auth,
      schema: {
        ...doc("Reset a method with a current code of it: a new setup that replaces it once confirmed (SMS: give the new number)"),
        params: MethodIdParams,
        body: ResetBody,
        response: { 200: Type.Union([TotpSetupResponse, Type.Object({ type: Type.Literal("sms"), methodId: Type.String(), maskedPhone: Type.String(), codeExpiresAt: Type.String({ format: "date-time" }) })]), ...errors(400, 401, 403, 404, 429, 502) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await resetMethod(deps, request.auth!, { methodId: request.params.methodId, ...body }, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      const present = resetAnswers[result.type];
      if (!present) return sendApiFailure(reply, { ok: false, code: "method_not_found" });
      const presented = await present(deps, request.auth!, result);
      return presented.ok ? presented.answer : sendApiFailure(reply, presented);
    },
  );

  app.delete(
    "/me/methods/:methodId",
    { ...auth, schema: { ...doc("Delete a method with a current code of it (a security key: within the step-up window); deleting the last one disables 2FA"), params: MethodIdParams, body: DeleteMethodBody, response: { 200: DeleteMethodResponse, ...errors(400, 401, 403, 404, 429) } } },
    async (request, reply) => {
      const result = await deleteMethod(deps, request.auth!, { methodId: request.params.methodId, code: request.body.code }, requestContext(request));
      return result.ok ? { deleted: true as const, twoFactorDisabled: result.twoFactorDisabled } : sendApiFailure(reply, result);
    },
  );
}
