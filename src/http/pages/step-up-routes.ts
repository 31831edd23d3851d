import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sendMethodVerificationCode } from "../../services/enrolment/methods.js";
import { startStepUpInBrowser, stepUp, stepUpChoices } from "../../services/sessions/step-up.js";
import { codeOnRequest } from "../../services/enrolment/own-methods.js";
import { requestContext } from "../context.js";
import { formSchema } from "./form-schema.js";
import { alertFrom, csrfToken, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { failureAnswer } from "../failure.js";
import { safeNext } from "./step-up.js";
import { confirmItsYouForm } from "./views/step-up.js";
import type { TypedApp } from "../typed-app.js";

/** Where to go back to; any string (safeNext turns one that is not a local path into the default). Notices and errors ride along. */
const ConfirmQuery = Type.Object({ next: Type.Optional(Type.String()) });

/** "Confirm it's you" (sudo mode, SECURITY 17, 29): GET/POST /settings/confirm?next=<local path>. */
export function registerStepUpPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);
  const title = "Confirm it's you";

  const codeOnRequestOf = (request: FastifyRequest) => codeOnRequest(deps, request.auth!);

  // Each view of the page with a key on the account carries a fresh challenge for this session.
  const form = async (request: FastifyRequest, next: string, extra: { errors?: Partial<Record<string, string>>; alert?: string | null; token: string }) => {
    const choices = await stepUpChoices(deps, request.auth!);
    const challenge = await startStepUpInBrowser(deps, request.auth!, requestContext(request), choices);
    const key = challenge?.ok ? { options: challenge.browserOptions, autostart: choices.inBrowserFirst && !extra.errors } : null;
    return confirmItsYouForm({ csrfToken: extra.token, next, needsCode: choices.needsCode, takesCode: choices.code, key, codeOnRequest: await codeOnRequestOf(request), errors: extra.errors, alert: extra.alert });
  };

  app.get("/settings/confirm", { schema: { querystring: ConfirmQuery }, preHandler: requireSession }, async (request, reply) => {
    const next = safeNext(request.query.next);
    return sendPage(reply, { title, narrow: true }, await form(request, next, { token: csrfToken(reply), alert: alertFrom(request) }));
  });

  app.post("/settings/confirm", { schema: formSchema({ code: 64, password: 1024, credential: 16384, next: 512 }, ["code", "password", "credential", "next"]), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const body = request.body;
    const next = safeNext(body.next);
    const result = await stepUp(deps, request.auth!, body, requestContext(request));
    if (result.ok) return redirect(reply, next);
    const errors = { [result.field ?? "code"]: errorMessage(result.code) };
    return sendPage(reply, { title, narrow: true, status: failureAnswer(result).status }, await form(request, next, { token: csrfToken(reply), errors }));
  });

  app.post("/settings/confirm/send-code", { schema: formSchema({ next: 512 }, ["next"]), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const next = safeNext(request.body.next);
    const sendsCode = await codeOnRequestOf(request);
    const result = sendsCode ? await sendMethodVerificationCode(deps, request.auth!, sendsCode.methodId, requestContext(request)) : ({ ok: false, code: "invalid_request" } as const);
    return redirect(reply, `/settings/confirm?next=${encodeURIComponent(next)}&${result.ok ? "notice=code_sent" : `error=${result.code}`}`);
  });
}
