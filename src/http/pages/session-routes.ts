import type { ServiceDeps } from "../../services/deps.js";
import { endOtherSessions, endOwnSession } from "../../services/sessions/end-sessions.js";
import { listOwnSessions } from "../../services/sessions/where-signed-in.js";
import { sessionCookie, sessionCookieOptions } from "../plugins/authentication.js";
import { requestContext } from "../context.js";
import { SessionIdParams } from "../params.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { stepUpRedirect } from "./step-up.js";
import { sessionsViews } from "./views/sessions.js";
import type { TypedApp } from "../typed-app.js";

/** Issue 17 item 4: "Where you're signed in" (/settings/sessions), "Sign out" per session and "Sign out everywhere else" (CSRF on both; only the user's own). */
export function registerSessionPages(app: TypedApp, deps: ServiceDeps, secure: boolean) {
  const requireSession = requirePageSession(deps);

  app.get("/settings/sessions", { preHandler: requireSession }, async (request, reply) => {
    const sessions = await listOwnSessions(deps, request.auth!);
    return sendPage(reply, { title: "Where you're signed in", notice: noticeFrom(request) }, sessionsViews.own({ sessions, csrfToken: csrfToken(reply) }));
  });

  app.post(
    "/settings/sessions/:sessionId/sign-out",
    { schema: { ...formSchema({}), params: SessionIdParams }, preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const result = await endOwnSession(deps, request.auth!, request.params.sessionId, requestContext(request));
      // This browser's own session: a logout (the app sessions that lean on it end with it).
      if (result.ok && result.current) {
        reply.clearCookie(sessionCookie, sessionCookieOptions(deps.config, secure));
        return redirect(reply, "/login?notice=logged_out");
      }
      return redirect(reply, `/settings/sessions?notice=${result.ok ? "session_ended" : "session_not_found"}`);
    },
  );

  app.post("/settings/sessions/sign-out-others", { schema: formSchema({}), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const result = await endOtherSessions(deps, request.auth!, requestContext(request));
    if (!result.ok && result.code === "step_up_required") return stepUpRedirect(reply, "/settings/sessions");
    return redirect(reply, `/settings/sessions?notice=${result.ok ? "other_sessions_ended" : "session_not_found"}`);
  });
}
