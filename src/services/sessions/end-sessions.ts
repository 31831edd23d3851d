import type { SessionsDeps, SessionsPorts } from "./deps.js";
import { fail, type Failure, type Result } from "../../domain/errors.js";
import type { User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { authorize, findSubjectUser, requireStepUp, type Action, type Actor } from "../access/access.js";
import { recordEvent } from "../events/audit.js";
import { sessionActor, type Authenticated } from "./sessions.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * Issue 17 item 4: the ways "Where you're signed in" and Manage users end
 * sessions. Each is one transaction that ends the rows and records its event;
 * `endSessionsOf` is the one place their rows end, and the one place the apps
 * signed in through them are told (`apps/app-sessions.ts#endAppSessions`:
 * back-channel logout through the outbox, grants revoked). A logout
 * (`sessions.ts#endSession`) and the changes that end the other sessions
 * (SECURITY 30, deactivation) keep their own paths.
 */

/** "Sign out" one session of the signed-in user (this one too: then it is a logout). Another user's id, an ended or expired one: not_found. */
export async function endOwnSession(deps: SessionsDeps, auth: Authenticated, sessionId: string, context: RequestContext): Promise<Result<{ ended: number; current: boolean }>> {
  const current = sessionId === auth.session.id;
  return deps.store.transaction(async (store) => {
    const ended = await endSessionsOf(deps, store, auth.user, { sessionId });
    if (ended === 0) return fail("not_found", { field: "sessionId" });
    await recordEvent(deps, store, { type: "session.ended", subject: auth.user, context, detail: { sessionId, current } });
    return { ok: true, ended, current };
  });
}

/** "Sign out everywhere else": every other live session of the user; asks for a fresh password or second factor first. */
export async function endOtherSessions(deps: SessionsDeps, auth: Authenticated, context: RequestContext): Promise<Result<{ ended: number }>> {
  const fresh = await requireStepUp(deps, sessionActor(auth), "sessions");
  if (!fresh.ok) return fresh;
  return deps.store.transaction(async (store) => {
    const ended = await endSessionsOf(deps, store, auth.user, { except: auth.session.id });
    await recordEvent(deps, store, { type: "session.others_ended", subject: auth.user, context, detail: { count: ended } });
    return { ok: true, ended };
  });
}

/** Manage users, "Sign out everywhere": every session of a user the access table lets the actor end (`sessions.end`), after a fresh step-up. */
export async function endAllSessionsOf(deps: SessionsDeps, actor: Actor, userId: string, context: RequestContext): Promise<Result<{ user: User; ended: number }>> {
  const subject = await findSubjectUser(deps, userId);
  if (!subject) return refuseUnknownUser(deps, actor, "sessions.end", context);
  const allowed = await authorize(deps, actor, "sessions.end", subject, context);
  if (!allowed.ok) return allowed;
  const fresh = await requireStepUp(deps, actor, "admin");
  if (!fresh.ok) return fresh;
  return deps.store.transaction(async (store) => {
    const ended = await endSessionsOf(deps, store, subject.user, {});
    await recordEvent(deps, store, { type: "session.all_ended", subject: subject.user, actor: actor.user, context, detail: { count: ended } });
    return { ok: true, user: subject.user, ended };
  });
}

/** Where every session ended from here ends, inside the caller's transaction: one session, all but one, or all of a user. */
async function endSessionsOf(deps: SessionsDeps, store: SessionsPorts, user: User, which: { sessionId?: string; except?: string }): Promise<number> {
  const now = deps.clock.now();
  if (which.sessionId !== undefined) {
    if (!(await store.sessions.revokeUserSession(user.id, which.sessionId, now))) return 0;
    await endAppSessions(deps, store, { userId: user.id, onlySessionId: which.sessionId });
    return 1;
  }
  const ended = await store.sessions.revokeUserSessions(user.id, now, which.except);
  await endAppSessions(deps, store, { userId: user.id, ...(which.except !== undefined ? { exceptSessionId: which.except } : {}) });
  return ended;
}

/** An unknown user id is refused like one out of reach (no probing for which ids exist), and logged as a denial. */
export async function refuseUnknownUser(deps: SessionsDeps, actor: Actor, action: Action, context: RequestContext): Promise<Failure> {
  await authorize(deps, actor, action, { account: { ...actor.account, id: "unknown", kind: "reseller", parentId: null } }, context);
  return fail("forbidden");
}
