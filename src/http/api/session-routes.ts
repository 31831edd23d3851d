import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../../services/deps.js";
import { endAllSessionsOf, endOtherSessions, endOwnSession } from "../../services/sessions/end-sessions.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { listOwnSessions, listSessionsOf, type SessionView } from "../../services/sessions/where-signed-in.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { SessionIdParams, UserIdParams } from "../params.js";
import { iso } from "./present.js";
import type { RouteSurface } from "./route-surface.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const SessionSchema = Type.Object({
  id: Type.String({ description: "The session's id (not its token: it opens nothing)" }),
  browser: Type.Union([Type.String(), Type.Null()], { description: "From the user agent, e.g. \"Chrome 131\"; null when unknown" }),
  os: Type.Union([Type.String(), Type.Null()], { description: "From the user agent, e.g. \"Linux\"; null when unknown" }),
  place: Type.Union([Type.String(), Type.Null()], { description: "Approximate, from the GeoIP file (TWOSTEP_GEOIP_DB); null without one" }),
  address: Type.Union([Type.String(), Type.Null()], { description: "The client address the session began from" }),
  signedInAt: Type.String({ format: "date-time" }),
  lastActiveAt: Type.String({ format: "date-time", description: "Updated at most once a minute" }),
  current: Type.Boolean({ description: "The session this request came with" }),
});
const SessionsResponse = Type.Object({ sessions: Type.Array(SessionSchema, { description: "Live sessions only" }) });
const EndedResponse = Type.Object({ ended: Type.Integer({ description: "How many sessions were signed out" }) });

const present = (session: SessionView) => ({ ...session, signedInAt: iso(session.signedInAt), lastActiveAt: iso(session.lastActiveAt) });

/**
 * Issue 17 item 4 in the JSON API: the caller's sessions (`/me/sessions`) and,
 * as the access table allows (`sessions.view`, `sessions.end`), a user's
 * (`/admin/users/{userId}/sessions`; read-only on the platform API with a key).
 */
export function registerSessionApi(app: TypedApp, deps: ServiceDeps) {
  // onRequest: who is asking is settled before the path's ids are checked (401 first).
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ session: [] }] });

  // The issue's own address, /api/v1/sessions, serves the same as /api/me/sessions (one handler each).
  for (const base of ["/me/sessions", "/v1/sessions"]) {
    app.get(base, { ...auth, schema: { ...doc("sessions", "Where you're signed in: your live sessions"), response: { 200: SessionsResponse, ...errors(401) } } }, async (request) => ({
      sessions: (await listOwnSessions(deps, request.auth!)).map(present),
    }));

    app.delete(
      `${base}/:sessionId`,
      { ...auth, schema: { ...doc("sessions", "Sign out one of your sessions (session.ended); its next request is logged out"), params: SessionIdParams, response: { 200: EndedResponse, ...errors(400, 401, 404) } } },
      async (request, reply) => {
        const result = await endOwnSession(deps, request.auth!, request.params.sessionId, requestContext(request));
        return result.ok ? { ended: result.ended } : sendApiFailure(reply, result);
      },
    );

    app.delete(
      base,
      { ...auth, schema: { ...doc("sessions", "Sign out everywhere else (session.others_ended); needs a fresh password or second factor (403 step_up_required)"), response: { 200: EndedResponse, ...errors(401, 403) } } },
      async (request, reply) => {
        const result = await endOtherSessions(deps, request.auth!, requestContext(request));
        return result.ok ? { ended: result.ended } : sendApiFailure(reply, result);
      },
    );
  }

  app.delete(
    "/admin/users/:userId/sessions",
    { ...auth, schema: { ...doc("admin", "Sign a user out everywhere (session.all_ended); needs a fresh second factor"), params: UserIdParams, response: { 200: EndedResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const result = await endAllSessionsOf(deps, sessionActor(request.auth!), request.params.userId, requestContext(request));
      return result.ok ? { ended: result.ended } : sendApiFailure(reply, result);
    },
  );
}

/** GET a user's sessions, on the session API (`/admin/users/{userId}/sessions`) or the platform API (`/users/{userId}/sessions`). */
export function registerUserSessionsRoute(app: TypedApp, deps: ServiceDeps, surface: RouteSurface, tag: string) {
  app.get(
    surface.path,
    { ...surface.hooks, schema: { tags: [tag], security: surface.security, summary: "Where a user is signed in (as the access table allows)", params: UserIdParams, response: { 200: SessionsResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const result = await listSessionsOf(deps, surface.actorOf(request), request.params.userId, requestContext(request));
      return result.ok ? { sessions: result.sessions.map(present) } : sendApiFailure(reply, result);
    },
  );
}
