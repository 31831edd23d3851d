import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { beginSmsEnrolment, confirmSmsEnrolment, resendSmsEnrolmentCode, showSmsEnrolment } from "../../services/factors/sms/enrolment.js";
import { requestContext } from "../context.js";
import { formSchema, methodFormSchema, methodPageSchema } from "./form-schema.js";
import { alertFrom, csrfToken, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { stepUpRedirect } from "./step-up.js";
import { recoveryCodesPage } from "./views/recovery-codes.js";
import { smsConfirmForm, smsEnrolmentForm } from "./views/sms.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";

const title = "Set up SMS codes";

/** M2 as pages: password + number → code from the text → enabled (recovery codes with the first method). */
export function registerSmsPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  app.get("/settings/two-factor/sms", { preHandler: requireSession }, async (request, reply) =>
    sendPage(reply, { title, narrow: true, notice: alertFrom(request) }, smsEnrolmentForm({ csrfToken: csrfToken(reply) })),
  );

  app.post("/settings/two-factor/sms", { schema: formSchema({ password: 1024, phoneNumber: 64 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const body = request.body;
    const result = await beginSmsEnrolment(deps, request.auth!, body, requestContext(request));
    if (result.ok) return redirect(reply, `/settings/two-factor/sms/${result.methodId}`);
    if (result.code === "two_factor_already_enabled") return redirect(reply, "/settings/security?notice=already_enabled");
    if (result.code === "step_up_required") return stepUpRedirect(reply, "/settings/two-factor/sms");
    const field = result.field ?? (result.code.startsWith("sms_") ? "phoneNumber" : "password");
    return sendPage(
      reply,
      { title, narrow: true, status: failureAnswer(result).status },
      smsEnrolmentForm({ csrfToken: csrfToken(reply), phoneNumber: body.phoneNumber, errors: { [field]: errorMessage(result.code) } }),
    );
  });

  const confirmPage = async (request: FastifyRequest, reply: FastifyReply, methodId: string, error?: string, status = 200) => {
    const view = await showSmsEnrolment(deps, request.auth!, methodId);
    if (!view.ok) return redirect(reply, "/settings/two-factor/sms?notice=enrolment_expired");
    return sendPage(reply, { title, narrow: true, status }, smsConfirmForm({ csrfToken: csrfToken(reply), methodId, maskedPhone: view.maskedPhone, replacing: view.replacing, alert: alertFrom(request), ...(error ? { error } : {}) }));
  };

  app.get("/settings/two-factor/sms/:methodId", { schema: methodPageSchema, preHandler: requireSession }, async (request, reply) =>
    confirmPage(request, reply, request.params.methodId),
  );

  app.post("/settings/two-factor/sms/:methodId", { schema: methodFormSchema({ code: 64 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const methodId = request.params.methodId;
    const result = await confirmSmsEnrolment(deps, request.auth!, { methodId, code: request.body.code }, requestContext(request));
    if (result.ok) {
      if (!result.recoveryCodes) return redirect(reply, `/settings/security?notice=${result.replaced ? "method_reset" : "method_added"}`);
      return sendPage(reply, { title: "Recovery codes" }, recoveryCodesPage({ codes: result.recoveryCodes, justEnabled: true, email: request.auth!.user.email }));
    }
    if (result.code === "enrolment_expired") return redirect(reply, "/settings/two-factor/sms?notice=enrolment_expired");
    return confirmPage(request, reply, methodId, errorMessage(result.code), failureAnswer(result).status);
  });

  app.post("/settings/two-factor/sms/:methodId/resend", { schema: methodFormSchema({}), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const methodId = request.params.methodId;
    const result = await resendSmsEnrolmentCode(deps, request.auth!, methodId, requestContext(request));
    if (!result.ok && result.code === "enrolment_expired") return redirect(reply, "/settings/two-factor/sms?notice=enrolment_expired");
    return redirect(reply, `/settings/two-factor/sms/${methodId}${result.ok ? "?notice=code_sent" : `?error=${result.code}`}`);
  });
}
