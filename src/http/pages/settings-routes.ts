import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { disableNeedsNewPassword, disableTwoFactor } from "../../services/enrolment/disable-two-factor.js";
import { regenerateRecoveryCodes } from "../../services/recovery/recovery-codes.js";
import { securityOverview } from "../../services/enrolment/security-overview.js";
import { codeOnRequest } from "../../services/enrolment/own-methods.js";
import { requestContext } from "../context.js";
import { loginFlowCookie, pageSession } from "../plugins/authentication.js";
import { isPendingEnrolment } from "../../services/enrolment/required-enrolment.js";
import { formSchema } from "./form-schema.js";
import { stepUpRedirect } from "./step-up.js";
import { alertFrom, csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { disableForm } from "./views/disable.js";
import { generateCodesForm, recoveryCodesPage } from "./views/recovery-codes.js";
import { securityPage } from "./views/security.js";
import { trustedBrowsersSection } from "./views/trusted-browsers.js";
import { listTrustedBrowsers, rememberDaysFor } from "../../services/login/trusted-browsers.js";
import { signedInApps } from "../../services/apps/signed-in-apps.js";
import { signedInAppsSection } from "./views/signed-in-apps.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";

/**
 * Only a full session reaches settings: a pending login has none (SECURITY 28).
 * A login that may only enrol (P1) is sent back to its enrolment page.
 */
export function requirePageSession(deps: ServiceDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await pageSession(deps, request);
    if (!auth) return redirect(reply, (await isPendingEnrolment(deps, request.cookies[loginFlowCookie])) ? "/login/enrol" : "/login");
    request.auth = auth;
  };
}

export function registerSettingsPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  app.get("/", async (request, reply) => {
    if (await pageSession(deps, request)) return redirect(reply, "/settings/security");
    return redirect(reply, (await isPendingEnrolment(deps, request.cookies[loginFlowCookie])) ? "/login/enrol" : "/login");
  });

  app.get("/settings/security", { preHandler: requireSession }, async (request, reply) => {
    const [overview, browsers, rememberDays, apps] = await Promise.all([securityOverview(deps, request.auth!), listTrustedBrowsers(deps, request.auth!.user), rememberDaysFor(deps, request.auth!.user), signedInApps(deps, request.auth!.user)]);
    const token = csrfToken(reply);
    return sendPage(reply, { title: "Security", notice: noticeFrom(request) }, securityPage(overview, token, trustedBrowsersSection(browsers, rememberDays, token), signedInAppsSection(apps, token)));
  });

  const codeOnRequestOf = (request: FastifyRequest) => codeOnRequest(deps, request.auth!);

  app.get("/settings/recovery-codes", { preHandler: requireSession }, async (request, reply) =>
    sendPage(reply, { title: "Generate recovery codes", narrow: true }, generateCodesForm({ csrfToken: csrfToken(reply), codeOnRequest: await codeOnRequestOf(request), alert: alertFrom(request) })),
  );

  app.post(
    "/settings/recovery-codes",
    { schema: formSchema({ password: 1024, code: 64 }, ["password", "code"]), preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body;
      const result = await regenerateRecoveryCodes(deps, request.auth!, body, requestContext(request));
      if (result.ok) return sendPage(reply, { title: "Recovery codes" }, recoveryCodesPage({ codes: result.codes, justEnabled: false, email: request.auth!.user.email }));
      if (result.code === "two_factor_not_enabled") return redirect(reply, "/settings/security?notice=not_enabled");
      if (result.code === "step_up_required") return stepUpRedirect(reply, "/settings/recovery-codes");
      const errors = { [result.field ?? "password"]: errorMessage(result.code) };
      return sendPage(reply, { title: "Generate recovery codes", narrow: true, status: failureAnswer(result).status }, generateCodesForm({ csrfToken: csrfToken(reply), errors, codeOnRequest: await codeOnRequestOf(request) }));
    },
  );

  app.get("/settings/two-factor/disable", { preHandler: requireSession }, async (request, reply) => {
    const needsNewPassword = await disableNeedsNewPassword(deps, request.auth!);
    return sendPage(reply, { title: "Disable two-factor authentication", narrow: true }, disableForm({ csrfToken: csrfToken(reply), needsNewPassword }));
  });

  app.post(
    "/settings/two-factor/disable",
    { schema: formSchema({ password: 1024, newPassword: 1024 }, ["newPassword"]), preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const result = await disableTwoFactor(deps, request.auth!, request.body, requestContext(request));
      if (result.ok) return redirect(reply, `/settings/security?notice=${result.passwordChanged ? "two_factor_disabled_password_changed" : "two_factor_disabled"}`);
      if (result.code === "two_factor_not_enabled") return redirect(reply, "/settings/security?notice=not_enabled");
      if (result.code === "step_up_required") return stepUpRedirect(reply, "/settings/two-factor/disable");
      const needsNewPassword = await disableNeedsNewPassword(deps, request.auth!);
      const errors = { [result.field ?? "password"]: errorMessage(result.code) };
      return sendPage(reply, { title: "Disable two-factor authentication", narrow: true, status: failureAnswer(result).status }, disableForm({ csrfToken: csrfToken(reply), needsNewPassword, errors }));
    },
  );
}
