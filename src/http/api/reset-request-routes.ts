import { Type } from "@sinclair/typebox";
import { eventLabels } from "../../services/events/audit.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import {
  approveResetRequest,
  defaultQueuePageSize,
  fileResetRequest,
  listResetRequests,
  maxQueuePageSize,
  rejectResetRequest,
  showResetRequest,
  type ResetRequestRow,
} from "../../services/support/reset-requests.js";
import { requestContext } from "../context.js";
import { RequestIdParams, UserIdParams } from "../params.js";
import { sendApiFailure } from "../failure.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const time = Type.String({ format: "date-time" });
const status = Type.Union([Type.Literal("pending"), Type.Literal("approved"), Type.Literal("rejected")]);
const person = Type.Union([Type.Object({ id: Type.String(), displayName: Type.String(), email: Type.String() }), Type.Null()]);
const RequestBody = Type.Object({
  id: Type.String(),
  status,
  reason: Type.String({ description: "Why the admin filed it" }),
  user: person,
  account: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }), Type.Null()]),
  filedBy: person,
  createdAt: time,
  reviewedAt: Type.Union([time, Type.Null()]),
  reviewReason: Type.Union([Type.String(), Type.Null()], { description: "Why support rejected it" }),
});
const ListResponse = Type.Object({ requests: Type.Array(RequestBody), next: Type.Union([Type.String({ description: "Pass as ?cursor= for the next page" }), Type.Null()]) });
const ShowResponse = Type.Object({
  request: RequestBody,
  userHasTwoFactor: Type.Boolean(),
  recentEvents: Type.Array(Type.Object({ type: Type.String(), label: Type.String(), at: time, clientAddress: Type.Union([Type.String(), Type.Null()]) })),
});
const Settled = Type.Object({ id: Type.String(), status });
const ReasonBody = Type.Object({ reason: Type.String({ description: "1 to 500 characters" }) }, { additionalProperties: false });
const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal("pending"), Type.Literal("all")], { default: "pending" })),
    cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" })),
    email: Type.Optional(Type.String({ maxLength: 254, description: "The start of the user's email (any case)" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxQueuePageSize, description: `Page size, 1 to ${maxQueuePageSize} (default ${defaultQueuePageSize})` })),
  },
  { additionalProperties: false },
);

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
const personOf = (user: ResetRequestRow["user"]) => (user ? { id: user.id, displayName: user.displayName, email: user.email } : null);

export function presentRequest(row: ResetRequestRow) {
  const { request } = row;
  return {
    id: request.id,
    status: request.status,
    reason: request.reason,
    user: personOf(row.user),
    account: row.account ? { id: row.account.id, name: row.account.name, kind: row.account.kind } : null,
    filedBy: personOf(row.filedBy),
    createdAt: iso(request.createdAt)!,
    reviewedAt: iso(request.reviewedAt),
    reviewReason: request.reviewReason,
  };
}

/**
 * A2 in the API: an account admin files a 2FA reset request for a user who
 * lost their device and codes; platform support lists, reads and decides
 * them. The same services as the pages: the access table decides who, and
 * filing or deciding needs a fresh second factor (403 `step_up_required`).
 */
export function registerResetRequestApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (tag: "admin" | "support", summary: string) => ({ tags: [tag], summary, security: [{ session: [] }] });

  app.post(
    "/admin/users/:userId/reset-requests",
    {
      ...auth,
      schema: {
        ...doc("admin", "Ask platform support to turn off a user's 2FA (lost device and no codes); needs a fresh second factor"),
        params: UserIdParams,
        body: ReasonBody,
        response: { 201: Settled, ...errors(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const { userId } = request.params;
      const result = await fileResetRequest(deps, sessionActor(request.auth!), userId, request.body, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return reply.code(201).send({ id: result.request.id, status: result.request.status });
    },
  );

  app.get(
    "/support/reset-requests",
    { ...auth, schema: { ...doc("support", "The reset request queue: pending ones oldest first, or all newest first"), querystring: ListQuery, response: { 200: ListResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const query = request.query;
      const result = await listResetRequests(deps, sessionActor(request.auth!), { status: query.status ?? "pending", ...(query.cursor ? { after: query.cursor } : {}), ...(query.limit === undefined ? {} : { limit: query.limit }), ...(query.email ? { email: query.email } : {}) }, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { requests: result.rows.map(presentRequest), next: result.next };
    },
  );

  app.get(
    "/support/reset-requests/:id",
    { ...auth, schema: { ...doc("support", "One reset request with the user's recent security events"), params: RequestIdParams, response: { 200: ShowResponse, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const result = await showResetRequest(deps, sessionActor(request.auth!), request.params.id, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return {
        request: presentRequest(result.row),
        userHasTwoFactor: result.hasTwoFactor,
        recentEvents: result.events.map((event) => ({ type: event.type, label: eventLabels[event.type], at: iso(event.createdAt)!, clientAddress: event.clientAddress })),
      };
    },
  );

  app.post(
    "/support/reset-requests/:id/approve",
    {
      ...auth,
      schema: {
        ...doc("support", "Approve: the user's 2FA methods, recovery codes and sessions are removed; needs a fresh second factor"),
        params: RequestIdParams,
        response: { 200: Settled, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await approveResetRequest(deps, sessionActor(request.auth!), request.params.id, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { id: result.request.id, status: result.request.status };
    },
  );

  app.post(
    "/support/reset-requests/:id/reject",
    {
      ...auth,
      schema: {
        ...doc("support", "Reject with a reason (emailed to the user and the filing admin); needs a fresh second factor"),
        params: RequestIdParams,
        body: ReasonBody,
        response: { 200: Settled, ...errors(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const result = await rejectResetRequest(deps, sessionActor(request.auth!), request.params.id, request.body, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { id: result.request.id, status: result.request.status };
    },
  );
}
