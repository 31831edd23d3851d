import type { FastifyRequest } from "fastify";
import type { Actor } from "../../services/access/access.js";
import { sessionActor } from "../../services/sessions/sessions.js";

/**
 * Where a read route is mounted: the session API (`/api/admin/…`, a Bearer
 * session, `request.auth`) or the platform API (`/api/platform/v1/…`, an API
 * key checked by that plugin's hook, `request.actor`). The handler and the
 * service are the same, so the access table decides both alike.
 */
export interface RouteSurface {
  path: string;
  hooks: object;
  security: Record<string, string[]>[];
  actorOf: (request: FastifyRequest) => Actor;
}

export function sessionSurface(path: string, hooks: object): RouteSurface {
  return { path, hooks, security: [{ session: [] }], actorOf: (request) => sessionActor(request.auth!) };
}

/** The platform plugin's hook has set `request.actor` before any route runs. */
export function platformSurface(path: string): RouteSurface {
  return { path, hooks: {}, security: [{ apiKey: [] }], actorOf: (request) => request.actor! };
}
