import type { SessionsDeps } from "./deps.js";
import type { Result } from "../../domain/errors.js";
import type { User } from "../../domain/model.js";
import type { SessionWithClient } from "../../store/store.js";
import type { RequestContext } from "../deps.js";
import { authorize, findSubjectUser, type Actor } from "../access/access.js";
import { describeClient } from "./client-description.js";
import { type Authenticated } from "./sessions.js";
import { refuseUnknownUser } from "./end-sessions.js";

/**
 * Issue 17 item 4, "Where you're signed in": every live session of a user with
 * the browser and OS (bowser), the approximate place (TWOSTEP_GEOIP_DB) or else
 * the address, when it signed in and when it was last active (at most a minute
 * old), and which one is the asking browser. Never a token: the id is the
 * session's row id, which opens nothing.
 */
export interface SessionView {
  id: string;
  browser: string | null;
  os: string | null;
  /** "Berlin, Germany", from the GeoIP file; null without one or when it does not know the address. */
  place: string | null;
  address: string | null;
  signedInAt: number;
  lastActiveAt: number;
  /** The session this request came with ("this browser"). */
  current: boolean;
}

export function toSessionView(deps: Pick<SessionsDeps, "places">, row: SessionWithClient, currentSessionId: string | null): SessionView {
  return {
    id: row.session.id,
    ...describeClient(row.userAgent),
    place: deps.places.placeOf(row.clientAddress),
    address: row.clientAddress,
    signedInAt: row.session.createdAt,
    lastActiveAt: row.session.lastActiveAt,
    current: row.session.id === currentSessionId,
  };
}

/** The signed-in user's own sessions, this one first, then the most recently active. */
export async function listOwnSessions(deps: SessionsDeps, auth: Authenticated): Promise<SessionView[]> {
  const rows = await deps.store.sessions.listUserSessions(auth.user.id, deps.clock.now());
  const views = rows.map((row) => toSessionView(deps, row, auth.session.id));
  return [...views.filter((view) => view.current), ...views.filter((view) => !view.current)];
}

/**
 * Someone's sessions as the access table allows (`sessions.view`): an admin's
 * users in Manage users, one's own through the API key of the platform API.
 */
export async function listSessionsOf(deps: SessionsDeps, actor: Actor, userId: string, context: RequestContext): Promise<Result<{ user: User; sessions: SessionView[] }>> {
  const subject = await findSubjectUser(deps, userId);
  if (!subject) return refuseUnknownUser(deps, actor, "sessions.view", context);
  const allowed = await authorize(deps, actor, "sessions.view", subject, context);
  if (!allowed.ok) return allowed;
  const rows = await deps.store.sessions.listUserSessions(subject.user.id, deps.clock.now());
  return { ok: true, user: subject.user, sessions: rows.map((row) => toSessionView(deps, row, actor.session?.id ?? null)) };
}
