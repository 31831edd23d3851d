import type { AdminDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import type { User } from "../../domain/model.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
import { authorize, findSubjectUser, requireStepUp, type Actor } from "../access/access.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * A1: deactivate or reactivate a user of the account. Never oneself (an admin
 * locking themself out, or undoing their own deactivation). The access table
 * decides reach, including "never upward": an admin cannot deactivate
 * platform staff. It needs a fresh step-up (SECURITY 33): a second factor when
 * the actor has 2FA, else the password; it ends someone's access but does not
 * touch their 2FA, so the actor's own 2FA is not demanded (`admin`).
 *
 * Deactivation ends every session and every pending login of the user in the same transaction; the
 * login refuses an inactive user with the same `invalid_credentials` as a
 * wrong password, and API keys check `active` themselves. The user is told
 * by email (notification table).
 */
export async function setUserActive(
  deps: AdminDeps,
  actor: Actor,
  input: { userId: string; active: boolean },
  context: RequestContext,
): Promise<Result<{ user: User; changed: boolean }>> {
  const subject = await findSubjectUser(deps, input.userId);
  if (!subject) {
    // Unknown ids are refused like out-of-reach ones: no probing for which ids exist.
    await authorize(deps, actor, "user.deactivate", { account: { ...actor.account, id: "unknown", kind: "reseller", parentId: null } }, context);
    return fail("forbidden");
  }
  // Said plainly before the table is asked (which has no "self" row for this and would only say forbidden).
  if (subject.user.id === actor.user.id) return fail("cannot_deactivate_self");
  const denied = await authorize(deps, actor, "user.deactivate", subject, context);
  if (!denied.ok) return denied;
  const stepUp = await requireStepUp(deps, actor, "admin");
  if (!stepUp.ok) return stepUp;
  if (subject.user.active === input.active) return { ok: true, user: subject.user, changed: false };
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    await store.accounts.setUserActive(subject.user.id, input.active);
    if (!input.active) {
      await store.sessions.revokeUserSessions(subject.user.id, now);
      await endAppSessions(deps, store, { userId: subject.user.id });
      await store.sessions.endUserLoginFlows(subject.user.id, now);
    }
    await recordEvent(deps, store, { type: input.active ? "user.reactivated" : "user.deactivated", subject: subject.user, actor: actor.user, context });
  });
  return { ok: true, user: { ...subject.user, active: input.active }, changed: true };
}

export const deactivateUser = (deps: AdminDeps, actor: Actor, userId: string, context: RequestContext) => setUserActive(deps, actor, { userId, active: false }, context);
export const reactivateUser = (deps: AdminDeps, actor: Actor, userId: string, context: RequestContext) => setUserActive(deps, actor, { userId, active: true }, context);
