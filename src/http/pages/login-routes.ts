import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { startLogin, type LoginStart } from "../../services/login/start-login.js";
import { loadSecondStep, loadSecondStepForm, resendSecondStepCode, switchSecondStepMethod, verifySecondStepCode, verifySecondStepRecoveryCode, type SecondStepForm, type SecondStepSuccess } from "../../services/login/second-step.js";
import { endSession } from "../../services/sessions/sessions.js";
import { isPendingEnrolment } from "../../services/enrolment/required-enrolment.js";
import { requestContext } from "../context.js";
import { cookieOptions, loginFlowCookie, pageSession, sessionCookie, sessionCookieOptions } from "../plugins/authentication.js";
import { alertFrom, csrfToken, deliveryQuery, noticeFrom, redirect, sendPage } from "./render.js";
import { loginForm, recoveryCodeForm, secondStepForm } from "./views/login.js";
import { formSchema } from "./form-schema.js";
import { knownBrowserCookie, setKnownBrowserCookie } from "../known-browser.js";
import { failureAnswer } from "../failure.js";
import { setTrustedBrowserCookie, trustedBrowserTokenOf } from "../trusted-browser-cookie.js";
import type { TypedApp } from "../typed-app.js";
import type { MethodView } from "../../services/factors/method-view.js";
import { appLoginRules } from "../../services/apps/app-login-rules.js";
import { markInteractionUnmet } from "../../services/apps/interaction-start.js";
import { freshLoginAsked, keepReturnTo, returnToCookie, takeReturnTo } from "../oidc/return-to.js";
import { endProviderSessionOf } from "../oidc/provider-pages.js";

/**
 * Where a passed password step sends the browser: logged in, the second step
 * (flow cookie), or the required enrolment. A completed password reset (PR1)
 * goes through here too, so it lands where a password login would.
 */
export async function answerLoginStart(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, secure: boolean, result: LoginStart) {
  if (result.kind === "authenticated") {
    setKnownBrowserCookie(deps, reply, secure, result.browserToken);
    reply.setCookie(sessionCookie, result.sessionToken, sessionCookieOptions(deps.config, secure, deps.config.sessionTtlSeconds));
    return redirect(reply, (await takeReturnTo(deps, request, reply, secure)) ?? "/settings/security");
  }
  if (result.kind === "enrolment_required") {
    reply.setCookie(loginFlowCookie, result.flowToken, cookieOptions(secure, deps.config.enrolmentTtlSeconds));
    return redirect(reply, "/login/enrol");
  }
  reply.setCookie(loginFlowCookie, result.flowToken, cookieOptions(secure, deps.config.loginTtlSeconds));
  return redirect(reply, `/login/two-factor${deliveryQuery(result.delivery)}`);
}

/** Step 1, step 2 (code or recovery code) and log out, as HTML forms (L1–L6). */
export function registerLoginPages(app: TypedApp, deps: ServiceDeps, secure: boolean) {
  // The second step stored every token in its transaction: here they only become cookies.
  const finish = async (request: FastifyRequest, reply: FastifyReply, success: SecondStepSuccess) => {
    setKnownBrowserCookie(deps, reply, secure, success.browserToken);
    setTrustedBrowserCookie(reply, secure, success.trustedBrowser);
    reply.setCookie(sessionCookie, success.sessionToken, sessionCookieOptions(deps.config, secure, deps.config.sessionTtlSeconds));
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    const notice = success.recovery?.policy === "disable" ? "?notice=recovery_disabled" : "";
    return redirect(reply, (await takeReturnTo(deps, request, reply, secure)) ?? `/settings/security${notice}`);
  };
  const expired = (reply: import("fastify").FastifyReply, code?: string) => {
    // P1: a login that may only enrol is sent to its enrolment page, never to the second step.
    if (code === "two_factor_enrolment_required") return redirect(reply, "/login/enrol");
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    return redirect(reply, "/login?notice=login_expired");
  };

  app.get("/login", async (request, reply) => {
    // Issue 15: an app's sign-in comes back here with return_to (its interaction page), and prompt=login when it asked for a fresh login.
    const returnTo = await keepReturnTo(deps, request, reply, secure);
    if (await pageSession(deps, request)) {
      if (!returnTo) return redirect(reply, "/settings/security");
      if (!freshLoginAsked(request)) return redirect(reply, returnTo);
    }
    if (await isPendingEnrolment(deps, request.cookies[loginFlowCookie])) return redirect(reply, "/login/enrol");
    return sendPage(reply, { title: "Log in", narrow: true, user: null, notice: noticeFrom(request) }, loginForm({ csrfToken: csrfToken(reply) }));
  });

  app.post("/login", { schema: formSchema({ email: 320, password: 1024 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body;
    // An app's sign-in: its 2FA rule and whether it honours a remembered browser, read from the stored interaction.
    const rules = await appLoginRules(deps, request.cookies[returnToCookie]);
    const trustedBrowserToken = rules && !rules.allowTrustedBrowser ? undefined : trustedBrowserTokenOf(request);
    const result = await startLogin(
      deps,
      { ...body, browserToken: request.cookies[knownBrowserCookie], trustedBrowserToken, appRequiresTwoFactor: rules?.requireTwoFactor ?? false, appRequiresPhishingResistant: rules?.requirePhishingResistant ?? false },
      requestContext(request),
    );
    if (!result.ok && result.code === "security_key_required_by_app") {
      // The app asked for a key this user does not have: its sign-in ends with an error for the app, not a second step.
      await markInteractionUnmet(deps, request.cookies[returnToCookie], "a security key or passkey is needed, and this user has none");
      const back = await takeReturnTo(deps, request, reply, secure);
      if (back) return redirect(reply, back);
    }
    if (!result.ok) {
      const errors = result.field === "email" ? { email: errorMessage(result.code) } : { password: errorMessage(result.code) };
      return sendPage(reply, { title: "Log in", narrow: true, user: null, status: failureAnswer(result).status }, loginForm({ csrfToken: csrfToken(reply), email: body.email, errors }));
    }
    return answerLoginStart(deps, request, reply, secure, result);
  });

  const showForm = (reply: import("fastify").FastifyReply, form: SecondStepForm, method: MethodView, status: number, extra: { error?: string; alert?: string | null; rememberChecked?: boolean }) => {
    const others = form.methods.filter((other) => other.id !== method.id);
    return sendPage(
      reply,
      { title: "Two-factor authentication", narrow: true, user: null, status },
      secondStepForm({ csrfToken: csrfToken(reply), method, others, rememberDays: form.rememberDays, browserOptions: form.browserOptions, ...extra }),
    );
  };

  app.get("/login/two-factor", async (request, reply) => {
    const step = await loadSecondStepForm(deps, request.cookies[loginFlowCookie], requestContext(request));
    if (!step.ok) return expired(reply, step.code);
    if (!step.form.current) return redirect(reply, "/login/recovery");
    return showForm(reply, step.form, step.form.current, 200, { alert: alertFrom(request) });
  });

  app.post("/login/two-factor", { schema: formSchema({ code: 64, credential: 16384, methodId: 64, rememberBrowser: 8 }, ["code", "credential", "methodId", "rememberBrowser"]), preHandler: app.csrfProtection }, async (request, reply) => {
    const { rememberBrowser: box, ...body } = request.body;
    const flowToken = request.cookies[loginFlowCookie];
    const rememberBrowser = box === "yes";
    // One read of the flow and at most one of the policy: a refusal carries the form to show again.
    const result = await verifySecondStepCode(deps, flowToken, { ...body, rememberBrowser, browserToken: request.cookies[knownBrowserCookie] }, requestContext(request), { form: true });
    if (result.ok) return finish(request, reply, result);
    if (result.code === "login_expired" || result.code === "two_factor_enrolment_required") return expired(reply, result.code);
    if (!result.form?.current) return expired(reply);
    return showForm(reply, result.form, result.form.current, failureAnswer(result).status, { error: errorMessage(result.code), rememberChecked: rememberBrowser });
  });

  app.post("/login/two-factor/method", { schema: formSchema({ methodId: 64 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const result = await switchSecondStepMethod(deps, request.cookies[loginFlowCookie], request.body.methodId, requestContext(request));
    if (!result.ok && (result.code === "login_expired" || result.code === "two_factor_enrolment_required")) return expired(reply, result.code);
    return redirect(reply, `/login/two-factor${result.ok ? deliveryQuery(result.delivery) : ""}`);
  });

  app.post("/login/two-factor/resend", { schema: formSchema({}), preHandler: app.csrfProtection }, async (request, reply) => {
    const result = await resendSecondStepCode(deps, request.cookies[loginFlowCookie], requestContext(request));
    if (!result.ok && (result.code === "login_expired" || result.code === "two_factor_enrolment_required")) return expired(reply, result.code);
    return redirect(reply, result.ok ? "/login/two-factor?notice=code_sent" : `/login/two-factor?error=${result.code}`);
  });

  app.get("/login/recovery", async (request, reply) => {
    const step = await loadSecondStep(deps, request.cookies[loginFlowCookie]);
    if (!step.ok) return expired(reply, step.code);
    return sendPage(reply, { title: "Use a recovery code", narrow: true, user: null }, recoveryCodeForm({ csrfToken: csrfToken(reply), hasMethods: step.methods.length > 0 }));
  });

  app.post("/login/recovery", { schema: formSchema({ code: 128 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const flowToken = request.cookies[loginFlowCookie];
    const result = await verifySecondStepRecoveryCode(deps, flowToken, { ...request.body, browserToken: request.cookies[knownBrowserCookie] }, requestContext(request));
    if (result.ok) return finish(request, reply, result);
    if (result.code === "login_expired" || result.code === "two_factor_enrolment_required") return expired(reply, result.code);
    const status = result.code === "locked_out" ? 429 : result.code === "invalid_recovery_code" ? 401 : 400;
    return sendPage(reply, { title: "Use a recovery code", narrow: true, user: null, status }, recoveryCodeForm({ csrfToken: csrfToken(reply), hasMethods: true, error: errorMessage(result.code) }));
  });

  app.post("/logout", { schema: formSchema({}), preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = await pageSession(deps, request);
    if (auth) await endSession(deps, auth, requestContext(request));
    await endProviderSessionOf(deps, request.cookies);
    reply.clearCookie(sessionCookie, sessionCookieOptions(deps.config, secure));
    reply.clearCookie(loginFlowCookie, cookieOptions(secure));
    return redirect(reply, "/login?notice=logged_out");
  });
}
