import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage, errorStatus, type Failure } from "../../services/failures.js";
import { getAccountUser, listAccountUsers } from "../../services/admin/account-users.js";
import { assignableRoles, createAccountUser } from "../../services/admin/create-user.js";
import { deactivateUser, reactivateUser } from "../../services/admin/deactivate-user.js";
import { wouldAllow } from "../../services/access/access.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { UserIdParams } from "../params.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { stepUpRedirect } from "./step-up.js";
import { requirePageSession } from "./settings-routes.js";
import { usersViews } from "./views/users.js";
import { sessionsViews } from "./views/sessions.js";
import { html } from "./html.js";
import { listSessionsOf } from "../../services/sessions/where-signed-in.js";
import { endAllSessionsOf } from "../../services/sessions/end-sessions.js";
import type { TypedApp } from "../typed-app.js";

const ListQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 254 })),
    withoutTwoFactor: Type.Optional(Type.String({ maxLength: 8 })),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);

/** A1 as pages, under the reseller control panel: the list, the create form, a user's record, deactivate (with its confirm page) and reactivate. */
export function registerUsersPages(app: TypedApp, deps: ServiceDeps) {
  // Like the method pages: the path is validated first (a hostile id is a 400 for anyone), then the session.
  const requireSession = requirePageSession(deps);
  const actorOf = (request: FastifyRequest) => sessionActor(request.auth!);
  const refuse = (reply: FastifyReply, failure: Failure) =>
    failure.code === "forbidden"
      ? sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, usersViews.forbidden())
      : sendPage(reply, { title: "Manage users", status: errorStatus(failure.code) }, usersViews.failed(errorMessage(failure.code)));

  app.get("/panel/users", { schema: { querystring: ListQuery }, preHandler: requireSession }, async (request, reply) => {
    const query = request.query;
    const withoutTwoFactor = query.withoutTwoFactor === "1" || query.withoutTwoFactor === "true";
    const search = query.search?.trim() ?? "";
    const page = await listAccountUsers(deps, actorOf(request), { search, withoutTwoFactor, ...(query.cursor ? { cursor: query.cursor } : {}) }, requestContext(request));
    if (!page.ok) return refuse(reply, page);
    const mayCreate = wouldAllow(actorOf(request), "users.create", { account: page.account });
    return sendPage(reply, { title: "Manage users", currentPath: "/panel/users" }, usersViews.list({ page, search, withoutTwoFactor, mayCreate }));
  });

  app.get("/panel/users/new", { preHandler: requireSession }, async (request, reply) => {
    // The form is shown only to those who may create: a member gets 403 here too, not an empty form.
    const allowed = await listAccountUsers(deps, actorOf(request), { limit: 1 }, requestContext(request));
    if (!allowed.ok) return refuse(reply, allowed);
    // Looking is not creating (platform support may list its staff but not add to them).
    if (!wouldAllow(actorOf(request), "users.create", { account: allowed.account })) return refuse(reply, { ok: false, code: "forbidden" });
    return sendPage(reply, { title: "Create user" }, usersViews.createForm({ csrfToken: csrfToken(reply), roles: assignableRoles(actorOf(request)) }));
  });

  app.post(
    "/panel/users/new",
    { schema: formSchema({ email: 320, displayName: 200, role: 16 }, ["role"]), preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body;
      const actor = actorOf(request);
      const result = await createAccountUser(deps, actor, { email: body.email, displayName: body.displayName, role: body.role ?? "" }, requestContext(request));
      if (result.ok) return redirect(reply, `/panel/users/${result.user.id}?notice=user_created`);
      if (result.code === "forbidden") return refuse(reply, result);
      if (result.code === "step_up_required") return stepUpRedirect(reply, "/panel/users/new");
      const errors = { [result.field ?? "email"]: errorMessage(result.code) };
      return sendPage(reply, { title: "Create user", status: errorStatus(result.code) }, usersViews.createForm({ csrfToken: csrfToken(reply), roles: assignableRoles(actor), values: body, errors }));
    },
  );

  const showRecord = async (request: FastifyRequest, reply: FastifyReply, userId: string, error?: Failure) => {
    const found = await getAccountUser(deps, actorOf(request), userId, requestContext(request));
    if (!found.ok) return refuse(reply, found);
    const actor = actorOf(request);
    const may = { deactivate: wouldAllow(actor, "user.deactivate", found.subject), requestReset: wouldAllow(actor, "reset_request.file", found.subject) };
    const token = csrfToken(reply);
    const input = { csrfToken: token, account: found.subject.account, user: found.view, isSelf: found.view.id === request.auth!.user.id, may, error: error && errorMessage(error.code) };
    // Issue 17: where the user is signed in, only when the table lets this admin see it; "Sign out everywhere" when it lets them end it.
    // One's own sessions are on /settings/sessions.
    const sessions = !input.isSelf && wouldAllow(actor, "sessions.view", found.subject) ? await listSessionsOf(deps, actor, userId, requestContext(request)) : null;
    const sessionsSection = sessions?.ok ? sessionsViews.ofUser({ userId, sessions: sessions.sessions, mayEnd: wouldAllow(actor, "sessions.end", found.subject), csrfToken: token }) : null;
    return sendPage(reply, { title: found.view.displayName, status: error ? errorStatus(error.code) : 200, notice: noticeFrom(request) }, html`${usersViews.record(input)}${sessionsSection}`);
  };

  app.get("/panel/users/:userId", { schema: { params: UserIdParams }, preHandler: requireSession }, async (request, reply) => showRecord(request, reply, request.params.userId));

  app.get("/panel/users/:userId/deactivate", { schema: { params: UserIdParams }, preHandler: requireSession }, async (request, reply) => {
    const found = await getAccountUser(deps, actorOf(request), request.params.userId, requestContext(request));
    if (!found.ok) return refuse(reply, found);
    return sendPage(reply, { title: "Deactivate user" }, usersViews.confirmDeactivate({ csrfToken: csrfToken(reply), user: found.view }));
  });

  app.post("/panel/users/:userId/sessions/sign-out", { schema: { params: UserIdParams, ...formSchema({}) }, preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const { userId } = request.params;
    const result = await endAllSessionsOf(deps, actorOf(request), userId, requestContext(request));
    if (result.ok) return redirect(reply, `/panel/users/${userId}?notice=user_sessions_ended`);
    if (result.code === "forbidden") return refuse(reply, result);
    if (result.code === "step_up_required") return stepUpRedirect(reply, `/panel/users/${userId}`);
    return showRecord(request, reply, userId, result);
  });

  for (const [path, change] of [
    ["deactivate", deactivateUser],
    ["reactivate", reactivateUser],
  ] as const) {
    app.post(`/panel/users/:userId/${path}`, { schema: { params: UserIdParams, ...formSchema({}) }, preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
      const { userId } = request.params;
      const result = await change(deps, actorOf(request), userId, requestContext(request));
      if (result.ok) return redirect(reply, `/panel/users/${userId}?notice=user_${path}d`);
      if (result.code === "forbidden") return refuse(reply, result);
      if (result.code === "step_up_required") return stepUpRedirect(reply, `/panel/users/${userId}`);
      return showRecord(request, reply, userId, result);
    });
  }
}
