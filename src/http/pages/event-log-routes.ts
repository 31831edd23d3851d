import { Type, type Static } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { sessionActor } from "../../services/sessions/sessions.js";
import type { ServiceDeps } from "../../services/deps.js";
import { exportEventLogCsv } from "../../services/events/event-export.js";
import { viewEventLog, type EventLogQuery } from "../../services/events/event-log.js";
import { requestContext } from "../context.js";
import { sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { eventLogPage } from "./views/event-log.js";
import type { TypedApp } from "../typed-app.js";

type Log = { path: string; title: string; scope: EventLogQuery["scope"]; filters: { user: boolean; account: boolean } };

const logs: Log[] = [
  { path: "/settings/events", title: "Event log", scope: "own", filters: { user: false, account: false } },
  { path: "/panel/events", title: "Account event log", scope: "account", filters: { user: true, account: false } },
  { path: "/support/events", title: "All events", scope: "all", filters: { user: true, account: true } },
];

const names = ["type", "from", "to", "user", "account", "cursor"] as const;
const filter = () => Type.Optional(Type.String({ maxLength: 320 }));
const querystring = Type.Object({ type: filter(), from: filter(), to: filter(), user: filter(), account: filter(), cursor: filter() });

/** The filters given, without the empty ones (an empty form field means "any"). */
function valuesOf(query: Static<typeof querystring>): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (query[name] ? [[name, query[name]]] : [])));
}

export function queryFor(scope: EventLogQuery["scope"], values: Record<string, string>): EventLogQuery {
  return {
    scope,
    ...(values.account ? { accountId: values.account } : {}),
    ...(values.user ? { userId: values.user } : {}),
    ...(values.type ? { type: values.type } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.cursor ? { cursor: values.cursor } : {}),
  };
}

/** Sends CSV lines as they are read, batch by batch. */
export async function sendCsv(reply: FastifyReply, lines: AsyncIterable<string>, filename: string) {
  reply.code(200).type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${filename}"`).header("cache-control", "no-store");
  const { Readable } = await import("node:stream");
  return reply.send(Readable.from(lines));
}

/** A4 pages: the own log, an account's (with its customers'), and support's view of all. GET forms only: filters change nothing. */
export function registerEventLogPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);
  for (const log of logs) {
    app.get(log.path, { preHandler: requireSession, schema: { querystring } }, async (request, reply) => {
      const values = valuesOf(request.query);
      const page = await viewEventLog(deps, sessionActor(request.auth!), queryFor(log.scope, values), requestContext(request));
      if (!page.ok) {
        const status = page.code === "forbidden" ? 403 : 400;
        return sendPage(reply, { title: log.title, status }, eventLogPage({ ...log, values, page: null, error: { code: page.code, ...(page.field ? { field: page.field } : {}) } }));
      }
      return sendPage(reply, { title: log.title }, eventLogPage({ ...log, values, page }));
    });

    app.get(`${log.path}.csv`, { preHandler: requireSession, schema: { querystring } }, async (request, reply) => {
      const values = valuesOf(request.query);
      const { cursor: _cursor, ...query } = queryFor(log.scope, values);
      const exported = await exportEventLogCsv(deps, sessionActor(request.auth!), query, requestContext(request));
      if (!exported.ok) {
        const status = exported.code === "forbidden" ? 403 : 400;
        return sendPage(reply, { title: log.title, status }, eventLogPage({ ...log, values, page: null, error: { code: exported.code, ...(exported.field ? { field: exported.field } : {}) } }));
      }
      return sendCsv(reply, exported.lines, "events.csv");
    });
  }
}
