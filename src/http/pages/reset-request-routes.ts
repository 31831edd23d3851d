import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage, errorStatus, type Failure } from "../../services/failures.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { hasOwnTwoFactor } from "../../services/sessions/step-up.js";
import {
  approveResetRequest,
  fileResetRequest,
  listDecidedResetRequests,
  listResetRequests,
  rejectResetRequest,
  resetRequestSubject,
  showResetRequest,
} from "../../services/support/reset-requests.js";
import { requestContext } from "../context.js";
import { html } from "./html.js";
import { RequestIdParams, UserIdParams } from "../params.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { ownTwoFactorRequired } from "./views/own-two-factor.js";
import { recentDecisionCount, resetRequestForm, supportQueue } from "./views/reset-requests.js";
import type { TypedApp } from "../typed-app.js";

const QueueQuery = Type.Object({ email: Type.Optional(Type.String({ maxLength: 254 })) }, { additionalProperties: false });

/**
 * A failure as a page; a stale second factor goes to "Confirm it's you", which returns to `next`;
 * an actor without 2FA of their own is shown how to set it up, with the way back to `next`.
 */
function failurePage(reply: FastifyReply, failure: Failure, next: string) {
  if (failure.code === "step_up_required") return redirect(reply, `/settings/confirm?next=${encodeURIComponent(next)}`);
  if (failure.code === "own_two_factor_required") {
    const page = ownTwoFactorRequired({ action: "act on another user's two-factor authentication", back: { href: next, label: "Back" }, headingLevel: 1 });
    return sendPage(reply, { title: "Set up two-factor authentication first", narrow: true, status: errorStatus(failure.code) }, page);
  }
  const status = errorStatus(failure.code);
  // Who may use the support console, in words rather than the catalogue's bare "not allowed".
  const message = failure.code === "forbidden" && next.startsWith("/support/") ? "Only platform support reviews two-factor reset requests." : errorMessage(failure.code);
  return sendPage(reply, { title: status === 403 ? "Not allowed" : "Not possible", narrow: true, status }, html`<h1>${status === 403 ? "Not allowed" : "Not possible"}</h1><p>${message}</p><p><a href="/settings/security">Back to Security</a></p>`);
}

/** A2 pages: the account admin files (/panel), platform support decides (/support). No JavaScript; CSRF on every form. */
export function registerResetRequestPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);
  const reasonForm = { schema: formSchema({ reason: 2000 }), preHandler: [requireSession, app.csrfProtection] };
  const fileTitle = "Ask support to reset two-factor authentication";

  app.get("/panel/users/:userId/reset-request", { schema: { params: UserIdParams }, preHandler: requireSession }, async (request, reply) => {
    const { userId } = request.params;
    const found = await resetRequestSubject(deps, sessionActor(request.auth!), userId, requestContext(request));
    if (!found.ok) return failurePage(reply, found, request.url);
    return sendPage(reply, { title: fileTitle, notice: noticeFrom(request) }, resetRequestForm.page({ csrfToken: csrfToken(reply), user: found.subject.user, hasTwoFactor: found.hasTwoFactor, ownTwoFactor: await hasOwnTwoFactor(deps, request.auth!) }));
  });

  app.post("/panel/users/:userId/reset-request", { ...reasonForm, schema: { ...reasonForm.schema, params: UserIdParams } }, async (request, reply) => {
    const { userId } = request.params;
    const page = `/panel/users/${encodeURIComponent(userId)}/reset-request`;
    const { reason } = request.body;
    const actor = sessionActor(request.auth!);
    const result = await fileResetRequest(deps, actor, userId, { reason }, requestContext(request));
    // Back to the user's record with the notice: the form again would read as "send it once more".
    if (result.ok) return redirect(reply, `/panel/users/${encodeURIComponent(userId)}?notice=reset_requested`);
    // The reason is checked after the actor's own 2FA and step-up (fileResetRequest), so this actor has 2FA.
    if (result.field === "reason") {
      const found = await resetRequestSubject(deps, actor, userId, requestContext(request));
      if (found.ok) {
        return sendPage(reply, { title: fileTitle, status: 400 }, resetRequestForm.page({ csrfToken: csrfToken(reply), user: found.subject.user, hasTwoFactor: found.hasTwoFactor, ownTwoFactor: true, reason, error: errorMessage(result.code) }));
      }
    }
    return failurePage(reply, result, page);
  });

  app.get("/support/reset-requests", { schema: { querystring: QueueQuery }, preHandler: requireSession }, async (request, reply) => {
    const actor = sessionActor(request.auth!);
    const email = request.query.email?.trim() ?? "";
    if (email) {
      // A search lists every request of the matching users, waiting or decided, newest first.
      const found = await listResetRequests(deps, actor, { status: "all", limit: 100, email }, requestContext(request));
      if (!found.ok) return failurePage(reply, found, request.url);
      return sendPage(reply, { title: "Two-factor reset requests" }, supportQueue.page({ rows: [], settled: [], recentDecisionCount, search: { email, rows: found.rows } }));
    }
    const pending = await listResetRequests(deps, actor, { status: "pending", limit: 100 }, requestContext(request));
    if (!pending.ok) return failurePage(reply, pending, request.url);
    const decided = await listDecidedResetRequests(deps, actor, { limit: recentDecisionCount }, requestContext(request));
    const settled = decided.ok ? decided.rows : [];
    return sendPage(reply, { title: "Two-factor reset requests", notice: noticeFrom(request) }, supportQueue.page({ rows: pending.rows, settled, recentDecisionCount }));
  });

  const review = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { status?: number; reason?: string; error?: string | null; notice?: string | null } = {}) => {
    const shown = await showResetRequest(deps, sessionActor(request.auth!), id, requestContext(request));
    if (!shown.ok) return failurePage(reply, shown, request.url);
    return sendPage(
      reply,
      { title: "Review a reset request", notice: extra.notice ?? null, ...(extra.status ? { status: extra.status } : {}) },
      supportQueue.review({ csrfToken: csrfToken(reply), row: shown.row, hasTwoFactor: shown.hasTwoFactor, ownTwoFactor: await hasOwnTwoFactor(deps, request.auth!), events: shown.events, reason: extra.reason ?? "", error: extra.error ?? null }),
    );
  };

  app.get("/support/reset-requests/:id", { schema: { params: RequestIdParams }, preHandler: requireSession }, async (request, reply) => review(request, reply, request.params.id, { notice: noticeFrom(request) }));

  app.post("/support/reset-requests/:id/approve", { schema: { ...formSchema({}), params: RequestIdParams }, preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const { id } = request.params;
    const page = `/support/reset-requests/${encodeURIComponent(id)}`;
    const result = await approveResetRequest(deps, sessionActor(request.auth!), id, requestContext(request));
    return result.ok ? redirect(reply, `${page}?notice=reset_approved`) : failurePage(reply, result, page);
  });

  app.post("/support/reset-requests/:id/reject", { ...reasonForm, schema: { ...reasonForm.schema, params: RequestIdParams } }, async (request, reply) => {
    const { id } = request.params;
    const page = `/support/reset-requests/${encodeURIComponent(id)}`;
    const { reason } = request.body;
    const result = await rejectResetRequest(deps, sessionActor(request.auth!), id, { reason }, requestContext(request));
    if (result.ok) return redirect(reply, `${page}?notice=reset_rejected`);
    if (result.field === "reason") return review(request, reply, id, { status: 400, reason, error: errorMessage(result.code) });
    return failurePage(reply, result, page);
  });
}
