import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage, type Failure } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { finishKeyEnrolment, keyEnrolmentNeedsPassword, startKeyEnrolment } from "../../services/factors/webauthn/enrolment.js";
import { requestContext } from "../context.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { stepUpRedirect } from "./step-up.js";
import { recoveryCodesPage } from "./views/recovery-codes.js";
import { keyPasswordForm, keyRegisterForm } from "./views/security-keys.js";

/** "Add a security key or passkey" as pages: the password (2FA off) or the step-up window (2FA on) → name and prompt → listed. */
export function registerSecurityKeyPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);
  const title = "Add a security key or passkey";
  const newKey = "/settings/security-keys/new";

  /** Step 2, with a fresh challenge; or why it cannot be shown. */
  const promptPage = async (request: FastifyRequest, reply: FastifyReply, password: string | undefined, kept: { name?: string; errors?: { name?: string; credential?: string } } = {}, status = 200) => {
    const started = await startKeyEnrolment(deps, request.auth!, { ...(password !== undefined ? { password } : {}) }, requestContext(request));
    if (started.ok) return sendPage(reply, { title, narrow: true, status }, keyRegisterForm({ csrfToken: csrfToken(reply), options: started.browserOptions, ...kept }));
    return refused(reply, started);
  };

  const refused = (reply: FastifyReply, failure: Failure) => {
    if (failure.code === "step_up_required") return stepUpRedirect(reply, newKey);
    if (failure.code === "method_not_allowed_by_policy") return redirect(reply, "/settings/security?notice=method_not_allowed");
    return sendPage(reply, { title, narrow: true, status: failureAnswer(failure).status }, keyPasswordForm({ csrfToken: csrfToken(reply), error: errorMessage(failure.code) }));
  };

  app.get(newKey, { preHandler: requireSession }, async (request, reply) => {
    if (await keyEnrolmentNeedsPassword(deps, request.auth!)) return sendPage(reply, { title, narrow: true }, keyPasswordForm({ csrfToken: csrfToken(reply) }));
    return promptPage(request, reply, undefined);
  });

  app.post(newKey, { schema: formSchema({ password: 1024 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => promptPage(request, reply, request.body.password));

  app.post("/settings/security-keys", { schema: formSchema({ name: 256, credential: 16384 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const auth = request.auth!;
    const result = await finishKeyEnrolment(deps, auth, request.body, requestContext(request));
    if (result.ok) {
      if (!result.recoveryCodes) return redirect(reply, "/settings/security?notice=method_added");
      return sendPage(reply, { title: "Recovery codes" }, recoveryCodesPage({ codes: result.recoveryCodes, justEnabled: true, email: auth.user.email }));
    }
    const errors = result.field === "name" ? { name: errorMessage(result.code) } : { credential: errorMessage(result.code) };
    // A new prompt for another try: with 2FA off the password was just given for this session's challenge, so ask it again.
    if (await keyEnrolmentNeedsPassword(deps, auth)) return sendPage(reply, { title, narrow: true, status: failureAnswer(result).status }, keyPasswordForm({ csrfToken: csrfToken(reply), error: errors.name ?? errors.credential }));
    return promptPage(request, reply, undefined, { name: request.body.name, errors }, failureAnswer(result).status);
  });
}
