import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import {
  acknowledgeRecoveryCodes,
  loadEnrolmentLogin,
  requiredEnrolmentStep,
} from "../../services/enrolment/required-enrolment.js";
import { requestContext } from "../context.js";
import { cookieOptions, loginFlowCookie, sessionCookie, sessionCookieOptions } from "../plugins/authentication.js";
import { renderQrPngDataUrl } from "../qr.js";
import { formSchema, methodFormSchema, methodPageSchema } from "./form-schema.js";
import { alertFrom, csrfToken, redirect, sendPage } from "./render.js";
import { knownBrowserCookie, setKnownBrowserCookie } from "../known-browser.js";
import { enrolmentScanForm } from "./views/enrolment.js";
import { recoveryCodesPage } from "./views/recovery-codes.js";
import { keyRegisterForm } from "./views/security-keys.js";
import { codesShownPage, requiredEnrolmentPage } from "./views/required-enrolment.js";
import { smsConfirmForm, smsEnrolmentForm, type SetupPaths } from "./views/sms.js";
import { failureAnswer } from "../failure.js";
import { returnToCookie, takeReturnTo } from "../oidc/return-to.js";
import { appLoginRules } from "../../services/apps/app-login-rules.js";
import type { TypedApp } from "../typed-app.js";

const title = "Set up two-factor authentication";
const smsPaths: SetupPaths = { base: "/login/enrol/sms", cancel: "/login/enrol", askPassword: false };

/**
 * P1 after the date, as pages: the pending login (the HttpOnly flow cookie, no
 * session) may set up a first method here and nowhere else; every settings
 * page sends it back to /login/enrol (requirePageSession). The session cookie
 * is set only by "I have saved my codes", after the recovery codes were shown.
 */
export function registerRequiredEnrolmentPages(app: TypedApp, deps: ServiceDeps, secure: boolean) {
  const flowOf = (request: FastifyRequest) => request.cookies[loginFlowCookie];
  const over = (reply: FastifyReply) => {
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    return redirect(reply, "/login?notice=login_expired");
  };
  const page = (reply: FastifyReply, body: Parameters<typeof sendPage>[2], status = 200) => sendPage(reply, { title, narrow: true, user: null, status }, body);

  app.get("/login/enrol", async (request, reply) => {
    const login = await loadEnrolmentLogin(deps, flowOf(request));
    if (!login.ok) return over(reply);
    if (login.flow.state === "recovery_codes_shown") return page(reply, codesShownPage({ csrfToken: csrfToken(reply) }));
    // No policy date: an app's sign-in asked for the second factor (--require-two-factor); the page names it.
    const requiredBy = login.deadline === null ? ((await appLoginRules(deps, request.cookies[returnToCookie]))?.appName ?? null) : null;
    return page(reply, requiredEnrolmentPage({ csrfToken: csrfToken(reply), deadline: login.deadline, requiredBy, allowedMethods: login.allowedMethods, error: alertFrom(request) }));
  });

  app.post("/login/enrol/cancel", { schema: formSchema({}), preHandler: app.csrfProtection }, async (_request, reply) => {
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    return redirect(reply, "/login?notice=logged_out");
  });

  /** A failure that ends or moves the login; null when the form should show it. */
  const elsewhere = (reply: FastifyReply, code: string) => {
    if (code === "login_expired") return over(reply);
    if (code === "two_factor_already_enabled" || code === "enrolment_expired") return redirect(reply, "/login/enrol");
    if (code === "method_not_allowed_by_policy") return redirect(reply, `/login/enrol?error=${code}`);
    return null;
  };

  app.post("/login/enrol/totp", { schema: formSchema({}), preHandler: app.csrfProtection }, async (request, reply) => {
    const begun = await requiredEnrolmentStep(deps, flowOf(request), "totp", "begin", null, requestContext(request));
    if (!begun.ok) return elsewhere(reply, begun.code) ?? redirect(reply, `/login/enrol?error=${begun.code}`);
    return redirect(reply, `/login/enrol/totp/${begun.methodId}`);
  });

  const scanPage = async (request: FastifyRequest, reply: FastifyReply, methodId: string, error?: string, status = 200) => {
    const view = await requiredEnrolmentStep(deps, flowOf(request), "totp", "show", methodId, requestContext(request));
    if (!view.ok) return elsewhere(reply, view.code) ?? redirect(reply, "/login/enrol");
    const qrPngDataUrl = await renderQrPngDataUrl(view.keyUri);
    return sendPage(reply, { title, user: null, status }, enrolmentScanForm({ csrfToken: csrfToken(reply), view, qrPngDataUrl, base: "/login/enrol/totp", cancel: "/login/enrol", ...(error ? { error } : {}) }));
  };

  app.get("/login/enrol/totp/:methodId", { schema: methodPageSchema }, async (request, reply) => scanPage(request, reply, request.params.methodId));

  const confirmed = (reply: FastifyReply, email: string, codes: string[] | null) =>
    codes
      ? sendPage(reply, { title: "Recovery codes", user: null }, recoveryCodesPage({ codes, justEnabled: true, email, continueCsrf: csrfToken(reply) }))
      : page(reply, codesShownPage({ csrfToken: csrfToken(reply) }));

  app.post("/login/enrol/totp/:methodId", { schema: methodFormSchema({ code: 64 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const methodId = request.params.methodId;
    const code = request.body.code;
    const result = await requiredEnrolmentStep(deps, flowOf(request), "totp", "confirm", { methodId, code }, requestContext(request));
    if (result.ok) return confirmed(reply, result.user.email, result.recoveryCodes);
    return elsewhere(reply, result.code) ?? scanPage(request, reply, methodId, errorMessage(result.code), failureAnswer(result).status);
  });

  app.get("/login/enrol/sms", async (request, reply) => {
    const login = await loadEnrolmentLogin(deps, flowOf(request));
    if (!login.ok) return over(reply);
    return page(reply, smsEnrolmentForm({ csrfToken: csrfToken(reply), paths: smsPaths }));
  });

  app.post("/login/enrol/sms", { schema: formSchema({ phoneNumber: 64 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body;
    const result = await requiredEnrolmentStep(deps, flowOf(request), "sms", "begin", body, requestContext(request));
    if (result.ok) return redirect(reply, `/login/enrol/sms/${result.methodId}`);
    return (
      elsewhere(reply, result.code) ??
      page(reply, smsEnrolmentForm({ csrfToken: csrfToken(reply), paths: smsPaths, phoneNumber: body.phoneNumber, errors: { phoneNumber: errorMessage(result.code) } }), failureAnswer(result).status)
    );
  });

  const smsConfirmPage = async (request: FastifyRequest, reply: FastifyReply, methodId: string, error?: string, status = 200) => {
    const view = await requiredEnrolmentStep(deps, flowOf(request), "sms", "show", methodId, requestContext(request));
    if (!view.ok) return elsewhere(reply, view.code) ?? redirect(reply, "/login/enrol/sms");
    return page(reply, smsConfirmForm({ csrfToken: csrfToken(reply), methodId, maskedPhone: view.maskedPhone, paths: smsPaths, alert: alertFrom(request), ...(error ? { error } : {}) }), status);
  };

  app.get("/login/enrol/sms/:methodId", { schema: methodPageSchema }, async (request, reply) => smsConfirmPage(request, reply, request.params.methodId));

  app.post("/login/enrol/sms/:methodId", { schema: methodFormSchema({ code: 64 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const methodId = request.params.methodId;
    const code = request.body.code;
    const result = await requiredEnrolmentStep(deps, flowOf(request), "sms", "confirm", { methodId, code }, requestContext(request));
    if (result.ok) return confirmed(reply, result.user.email, result.recoveryCodes);
    return elsewhere(reply, result.code) ?? smsConfirmPage(request, reply, methodId, errorMessage(result.code), failureAnswer(result).status);
  });

  app.post("/login/enrol/sms/:methodId/resend", { schema: methodFormSchema({}), preHandler: app.csrfProtection }, async (request, reply) => {
    const methodId = request.params.methodId;
    const result = await requiredEnrolmentStep(deps, flowOf(request), "sms", "resend", methodId, requestContext(request));
    if (!result.ok) return elsewhere(reply, result.code) ?? redirect(reply, `/login/enrol/sms/${methodId}?error=${result.code}`);
    return redirect(reply, `/login/enrol/sms/${methodId}?notice=code_sent`);
  });

  // A security key or passkey as the first method: a name and the browser's prompt, for a challenge bound to this login.
  const keyPaths = { action: "/login/enrol/security-key", cancel: "/login/enrol", step: null };
  const keyPage = async (request: FastifyRequest, reply: FastifyReply, kept: { name?: string; errors?: { name?: string; credential?: string } } = {}, status = 200) => {
    const started = await requiredEnrolmentStep(deps, flowOf(request), "webauthn", "begin", null, requestContext(request));
    if (!started.ok) return elsewhere(reply, started.code) ?? redirect(reply, `/login/enrol?error=${started.code}`);
    return sendPage(reply, { title, narrow: true, user: null, status }, keyRegisterForm({ csrfToken: csrfToken(reply), options: started.browserOptions, paths: keyPaths, ...kept }));
  };

  app.get("/login/enrol/security-key", async (request, reply) => keyPage(request, reply));

  app.post("/login/enrol/security-key", { schema: formSchema({ name: 256, credential: 16384 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const result = await requiredEnrolmentStep(deps, flowOf(request), "webauthn", "confirm", request.body, requestContext(request));
    if (result.ok) return confirmed(reply, result.user.email, result.recoveryCodes);
    const errors = result.field === "name" ? { name: errorMessage(result.code) } : { credential: errorMessage(result.code) };
    return elsewhere(reply, result.code) ?? keyPage(request, reply, { name: request.body.name, errors }, failureAnswer(result).status);
  });

  app.post("/login/enrol/continue", { schema: formSchema({}), preHandler: app.csrfProtection }, async (request, reply) => {
    const result = await acknowledgeRecoveryCodes(deps, flowOf(request), requestContext(request), request.cookies[knownBrowserCookie]);
    if (!result.ok) return result.code === "two_factor_enrolment_required" ? redirect(reply, "/login/enrol") : over(reply);
    setKnownBrowserCookie(deps, reply, secure, result.browserToken);
    reply.setCookie(sessionCookie, result.sessionToken, sessionCookieOptions(deps.config, secure, deps.config.sessionTtlSeconds));
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    return redirect(reply, (await takeReturnTo(deps, request, reply, secure)) ?? "/settings/security?notice=two_factor_enabled");
  });
}
