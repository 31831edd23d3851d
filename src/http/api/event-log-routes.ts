import type { Actor } from "../../services/access/access.js";
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { eventLabels } from "../../services/events/audit.js";
import { exportEventLogCsv } from "../../services/events/event-export.js";
import { defaultPageSize, maxPageSize, viewEventLog, type EventLogQuery } from "../../services/events/event-log.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { sendCsv } from "../pages/event-log-routes.js";
import { sendApiFailure } from "../failure.js";
import { iso } from "./present.js";
import { errors, EventsResponse } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const common = {
  type: Type.Optional(Type.String({ maxLength: 64, description: "One event type, such as login.succeeded" })),
  from: Type.Optional(Type.String({ maxLength: 10, description: "YYYY-MM-DD, UTC, inclusive", examples: ["2026-11-01"] })),
  to: Type.Optional(Type.String({ maxLength: 10, description: "YYYY-MM-DD, UTC, inclusive", examples: ["2026-11-30"] })),
  cursor: Type.Optional(Type.String({ maxLength: 20, description: "nextCursor of the previous page" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize, description: `1 to ${maxPageSize}; ${defaultPageSize} if not given` })),
  format: Type.Optional(Type.Literal("csv", { description: "CSV of every matching event (also with Accept: text/csv); cursor and limit are ignored" })),
};
const user = Type.Optional(Type.String({ maxLength: 320, description: "A user's email or id, within the log's scope" }));
const OwnQuery = Type.Object(common, { additionalProperties: false });
const AdminQuery = Type.Object({ ...common, user }, { additionalProperties: false });
const SupportQuery = Type.Object({ ...common, user, account: Type.Optional(Type.String({ maxLength: 64, description: "An account id" })) }, { additionalProperties: false });

const LogEvent = Type.Object({
  ...EventsResponse.properties.events.items.properties,
  id: Type.String(),
  label: Type.String(),
  actorEmail: Type.Union([Type.String(), Type.Null()]),
  subjectEmail: Type.Union([Type.String(), Type.Null()]),
  accountId: Type.String(),
  accountName: Type.Union([Type.String(), Type.Null()]),
});
const LogResponse = Type.Object({
  events: Type.Array(LogEvent),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as cursor for the next (older) page; null on the last" }),
});

/** The filters of any log: the own and account logs simply never have `account` (nor the own log `user`). */
type Query = Static<typeof SupportQuery>;

/**
 * A4 in the API: the same services as the pages, so the same access table.
 * The platform API can call viewEventLog with an API-key Actor the same way.
 */
export function registerEventLogApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["events"], summary, security: [{ session: [] }] });
  const answer = eventLogAnswer(deps, (request) => sessionActor(request.auth!));

  const schema = <Querystring extends TSchema>(summary: string, querystring: Querystring) => ({ ...doc(summary), querystring, response: { 200: LogResponse, ...errors(400, 401, 403) } });
  app.get("/me/events", { ...auth, schema: schema("The user's own security events (as subject or actor), newest first", OwnQuery) }, (request, reply) => answer(request, reply, "own", request.query));
  app.get("/admin/events", { ...auth, schema: schema("The admin's account's events, with its customers' for a reseller", AdminQuery) }, (request, reply) => answer(request, reply, "account", request.query));
  app.get("/support/events", { ...auth, schema: schema("Every account's events (platform support)", SupportQuery) }, (request, reply) => answer(request, reply, "all", request.query));
}

/** The event-log handler for a scope, with the actor taken from a session or, on the platform API, an API key. */
export function eventLogAnswer(deps: ServiceDeps, actorOf: (request: FastifyRequest) => Actor) {
  return async (request: FastifyRequest, reply: FastifyReply, scope: EventLogQuery["scope"], q: Query) => {
    const query: EventLogQuery = {
      scope,
      ...(q.account ? { accountId: q.account } : {}),
      ...(q.user ? { userId: q.user } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    };
    const actor = actorOf(request);
    const wantsCsv = q.format === "csv" || (request.headers.accept ?? "").split(",")[0]?.trim().startsWith("text/csv");
    if (wantsCsv) {
      const exported = await exportEventLogCsv(deps, actor, query, requestContext(request));
      if (!exported.ok) return sendApiFailure(reply, exported);
      return sendCsv(reply, exported.lines, "events.csv");
    }
    const page = await viewEventLog(deps, actor, { ...query, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.limit === undefined ? {} : { limit: q.limit }) }, requestContext(request));
    if (!page.ok) return sendApiFailure(reply, page);
    return {
      events: page.events.map((event) => ({
        id: event.id,
        type: event.type,
        label: eventLabels[event.type] ?? event.type,
        createdAt: iso(event.createdAt),
        clientAddress: event.clientAddress,
        userAgent: event.userAgent,
        detail: event.detail,
        actorEmail: event.actorEmail,
        subjectEmail: event.subjectEmail,
        accountId: event.accountId,
        accountName: event.accountName,
      })),
      nextCursor: page.nextCursor,
    };
  };
}

/** GET /api/platform/v1/events: the key user's widest log (support: all; an admin: the account and its customers; others: their own). */
export function registerPlatformEventLogRoute(app: TypedApp, deps: ServiceDeps) {
  const answer = eventLogAnswer(deps, (request) => request.actor!);
  app.get(
    "/events",
    { schema: { tags: ["platform"], summary: "The event log the key's user may read, newest first (A4)", security: [{ apiKey: [] }], querystring: SupportQuery, response: { 200: LogResponse, ...errors(400, 401, 403) } } },
    (request, reply) => {
      const actor = request.actor!;
      const scope = actor.account.kind === "platform" && actor.user.role === "support" ? "all" : actor.user.role === "admin" ? "account" : "own";
      return answer(request, reply, scope, request.query);
    },
  );
}
