import { Type } from "@sinclair/typebox";
import { errorMessage, errorStatus } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { completePasswordReset, findLivePasswordLink } from "../../services/reset/password-reset-complete.js";
import { requestPasswordReset } from "../../services/reset/password-reset-request.js";
import { requestContext } from "../context.js";
import { pageSession } from "../plugins/authentication.js";
import { csrfToken, redirect, sendPage } from "./render.js";
import { formSchema } from "./form-schema.js";
import { answerLoginStart } from "./login-routes.js";
import { forgotPasswordForm, newPasswordForm, passwordLinkTitle, resetLinkInvalidPage, resetRequestedPage } from "./views/password-reset.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";

const ResetLinkQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 128 })) });

/**
 * PR1 as pages: "Forgot password?" → the emailed link → a new password typed
 * twice → the login machine's next step (second step, required enrolment, or
 * logged in without 2FA). The reset token travels in the link's query string
 * and then in the form's hidden field; request logs drop query strings
 * (app.ts `logSafeRequest`), pages are `no-store`, and the Referrer-Policy
 * header keeps it out of any Referer.
 */
export function registerPasswordResetPages(app: TypedApp, deps: ServiceDeps, secure: boolean) {
  const page = (title: string) => ({ title, narrow: true, user: null });

  app.get("/login/forgot", async (request, reply) => {
    if (await pageSession(deps, request)) return redirect(reply, "/settings/security");
    return sendPage(reply, page("Forgot your password?"), forgotPasswordForm({ csrfToken: csrfToken(reply) }));
  });

  app.post("/login/forgot", { schema: formSchema({ email: 320 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const { email } = request.body;
    const result = await requestPasswordReset(deps, { email }, requestContext(request));
    if (!result.ok) {
      if (result.retryAfterSeconds) reply.header("retry-after", String(result.retryAfterSeconds));
      return sendPage(reply, { ...page("Forgot your password?"), status: failureAnswer(result).status }, forgotPasswordForm({ csrfToken: csrfToken(reply), email, errors: { email: errorMessage(result.code) } }));
    }
    return sendPage(reply, page("Check your email"), resetRequestedPage());
  });

  app.get("/login/reset", { schema: { querystring: ResetLinkQuery } }, async (request, reply) => {
    const { token } = request.query;
    const link = await findLivePasswordLink(deps, token);
    if (!link) {
      return sendPage(reply, { ...page("This link does not work"), status: errorStatus("reset_link_invalid") }, resetLinkInvalidPage(errorMessage("reset_link_invalid")));
    }
    return sendPage(reply, page(passwordLinkTitle(link)), newPasswordForm({ csrfToken: csrfToken(reply), token: token!, link }));
  });

  app.post("/login/reset", { schema: formSchema({ token: 128, newPassword: 1024, confirmPassword: 1024 }), preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body;
    const result = await completePasswordReset(deps, body, requestContext(request));
    if (result.ok) return answerLoginStart(deps, request, reply, secure, result);
    // A weak or mistyped password keeps the link unused: the form comes back in the link's own words.
    const link = result.code === "reset_link_invalid" ? null : await findLivePasswordLink(deps, body.token);
    if (!link) {
      return sendPage(reply, { ...page("This link does not work"), status: errorStatus("reset_link_invalid") }, resetLinkInvalidPage(errorMessage("reset_link_invalid")));
    }
    const field = result.field ?? "newPassword";
    return sendPage(
      reply,
      { ...page(passwordLinkTitle(link)), status: failureAnswer(result).status },
      newPasswordForm({ csrfToken: csrfToken(reply), token: body.token, link, errors: { [field]: errorMessage(result.code) } }),
    );
  });
}
