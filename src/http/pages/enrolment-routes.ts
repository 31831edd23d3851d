import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { beginTotpEnrolment, confirmTotpEnrolment, showTotpEnrolment } from "../../services/factors/totp/enrolment.js";
import { requestContext } from "../context.js";
import { renderQrPngDataUrl } from "../qr.js";
import { formSchema, methodFormSchema, methodPageSchema } from "./form-schema.js";
import { csrfToken, redirect, sendPage } from "./render.js";
import { enrolmentPasswordForm, enrolmentScanForm } from "./views/enrolment.js";
import { recoveryCodesPage } from "./views/recovery-codes.js";
import { requirePageSession } from "./settings-routes.js";
import { stepUpRedirect } from "./step-up.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";

/** M1 as pages: password → QR and key → code → recovery codes. */
export function registerEnrolmentPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);
  const title = "Set up two-factor authentication";

  app.get("/settings/two-factor/setup", { preHandler: requireSession }, async (request, reply) =>
    sendPage(reply, { title, narrow: true }, enrolmentPasswordForm({ csrfToken: csrfToken(reply) })),
  );

  app.post("/settings/two-factor/setup", { schema: formSchema({ password: 1024 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const result = await beginTotpEnrolment(deps, request.auth!, request.body, requestContext(request));
    if (result.ok) return redirect(reply, `/settings/two-factor/setup/${result.methodId}`);
    if (result.code === "two_factor_already_enabled") return redirect(reply, "/settings/security?notice=already_enabled");
    if (result.code === "step_up_required") return stepUpRedirect(reply, "/settings/two-factor/setup");
    return sendPage(reply, { title, narrow: true, status: failureAnswer(result).status }, enrolmentPasswordForm({ csrfToken: csrfToken(reply), error: errorMessage(result.code) }));
  });

  const scanPage = async (request: import("fastify").FastifyRequest, reply: import("fastify").FastifyReply, methodId: string, error?: string, status = 200) => {
    const view = await showTotpEnrolment(deps, request.auth!, methodId);
    if (!view.ok) return redirect(reply, "/settings/two-factor/setup?notice=enrolment_expired");
    const qrPngDataUrl = await renderQrPngDataUrl(view.keyUri);
    return sendPage(reply, { title, status }, enrolmentScanForm({ csrfToken: csrfToken(reply), view, qrPngDataUrl, ...(error ? { error } : {}) }));
  };

  app.get("/settings/two-factor/setup/:methodId", { schema: methodPageSchema, preHandler: requireSession }, async (request, reply) =>
    scanPage(request, reply, request.params.methodId),
  );

  app.post("/settings/two-factor/setup/:methodId", { schema: methodFormSchema({ code: 64 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const methodId = request.params.methodId;
    const result = await confirmTotpEnrolment(deps, request.auth!, { methodId, code: request.body.code }, requestContext(request));
    if (result.ok) {
      if (!result.recoveryCodes) return redirect(reply, `/settings/security?notice=${result.replaced ? "method_reset" : "method_added"}`);
      return sendPage(reply, { title: "Recovery codes" }, recoveryCodesPage({ codes: result.recoveryCodes, justEnabled: true, email: request.auth!.user.email }));
    }
    if (result.code === "enrolment_expired") return redirect(reply, "/settings/two-factor/setup?notice=enrolment_expired");
    return scanPage(request, reply, methodId, errorMessage(result.code), failureAnswer(result).status);
  });
}
