import { factorFor } from "../../services/factors/registry.js";
import { requireOwnStepUp } from "../../services/sessions/step-up.js";
import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { findOwnMethod } from "../../services/enrolment/own-methods.js";
import { deleteMethod, makeDefaultMethod, renameMethod, resetMethod, sendMethodVerificationCode } from "../../services/enrolment/methods.js";
import { requestContext } from "../context.js";
import { methodFormSchema, methodPageSchema } from "./form-schema.js";
import { setupPages } from "./setup-paths.js";
import { alertFrom, csrfToken, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { stepUpRedirect } from "./step-up.js";
import { deleteMethodForm, renameForm, resetMethodForm } from "./views/methods.js";
import { failureAnswer } from "../failure.js";
import type { TypedApp } from "../typed-app.js";

/** M4 as pages: make default, rename, reset and delete an enrolled method. */
export function registerMethodPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  /** The user's own active method named in the URL, and how many they have; null sends them back. */
  const ownMethod = (request: FastifyRequest, methodId: string) => findOwnMethod(deps, request.auth!, methodId);
  const back = (reply: FastifyReply) => redirect(reply, "/settings/security");

  // The methods are listed on the security page; a typed /settings/methods goes there (and,
  // through requireSession, a login that may only enrol goes back to /login/enrol).
  app.get("/settings/methods", { preHandler: requireSession }, async (_request, reply) => back(reply));

  app.post("/settings/methods/:methodId/default", { schema: methodFormSchema({}), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const result = await makeDefaultMethod(deps, request.auth!, request.params.methodId, requestContext(request));
    if (!result.ok && result.code === "step_up_required") return stepUpRedirect(reply, "/settings/security");
    return redirect(reply, result.ok ? "/settings/security?notice=default_changed" : "/settings/security");
  });

  app.get("/settings/methods/:methodId/rename", { schema: methodPageSchema, preHandler: requireSession }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    return sendPage(reply, { title: "Rename method", narrow: true }, renameForm({ csrfToken: csrfToken(reply), method: own.method }));
  });

  app.post("/settings/methods/:methodId/rename", { schema: methodFormSchema({ name: 256 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    const name = request.body.name;
    const result = await renameMethod(deps, request.auth!, own.method.id, name, requestContext(request));
    if (result.ok) return redirect(reply, "/settings/security?notice=method_renamed");
    if (result.code === "step_up_required") return stepUpRedirect(reply, `/settings/methods/${own.method.id}/rename`);
    return sendPage(reply, { title: "Rename method", narrow: true, status: failureAnswer(result).status }, renameForm({ csrfToken: csrfToken(reply), method: own.method, name, error: errorMessage(result.code) }));
  });

  app.post("/settings/methods/:methodId/send-code", { schema: methodFormSchema({ next: 32 }), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const next = request.body.next;
    const target = next === "reset" || next === "delete" ? `/settings/methods/${request.params.methodId}/${next}` : "/settings/recovery-codes";
    const result = await sendMethodVerificationCode(deps, request.auth!, request.params.methodId, requestContext(request));
    return redirect(reply, `${target}?${result.ok ? "notice=code_sent" : `error=${result.code}`}`);
  });

  app.get("/settings/methods/:methodId/delete", { schema: methodPageSchema, preHandler: requireSession }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    if (factorFor(own.method.type).removal === "recent_second_factor" && !(await requireOwnStepUp(deps, request.auth!)).ok) return stepUpRedirect(reply, `/settings/methods/${own.method.id}/delete`);
    return sendPage(reply, { title: "Delete method", narrow: true }, deleteMethodForm({ csrfToken: csrfToken(reply), method: own.method, isLast: own.count === 1, alert: alertFrom(request) }));
  });

  app.post("/settings/methods/:methodId/delete", { schema: methodFormSchema({ code: 64 }, ["code"]), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    const result = await deleteMethod(deps, request.auth!, { methodId: own.method.id, code: request.body.code }, requestContext(request));
    if (!result.ok && result.code === "step_up_required") return stepUpRedirect(reply, `/settings/methods/${own.method.id}/delete`);
    if (result.ok) return redirect(reply, `/settings/security?notice=${result.twoFactorDisabled ? "two_factor_disabled" : "method_deleted"}`);
    return sendPage(
      reply,
      { title: "Delete method", narrow: true, status: failureAnswer(result).status },
      deleteMethodForm({ csrfToken: csrfToken(reply), method: own.method, isLast: own.count === 1, error: errorMessage(result.code) }),
    );
  });

  app.get("/settings/methods/:methodId/reset", { schema: methodPageSchema, preHandler: requireSession }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    return sendPage(reply, { title: "Reset method", narrow: true }, resetMethodForm({ csrfToken: csrfToken(reply), method: own.method, alert: alertFrom(request) }));
  });

  app.post("/settings/methods/:methodId/reset", { schema: methodFormSchema({ code: 64, phoneNumber: 64 }, ["phoneNumber"]), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const own = await ownMethod(request, request.params.methodId);
    if (!own) return back(reply);
    const body = request.body;
    const result = await resetMethod(deps, request.auth!, { methodId: own.method.id, ...body }, requestContext(request));
    if (result.ok) return redirect(reply, setupPages[result.type].pending?.(result.methodId) ?? "/settings/security");
    const field = result.field ?? "code";
    return sendPage(
      reply,
      { title: "Reset method", narrow: true, status: failureAnswer(result).status },
      resetMethodForm({ csrfToken: csrfToken(reply), method: own.method, phoneNumber: body.phoneNumber ?? "", errors: { [field]: errorMessage(result.code) } }),
    );
  });
}
