import { fail, type Failure, type Result } from "../domain/errors.js";
import { activeMethods } from "../domain/login-flow/flow.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { requireStepUp } from "./access.js";
import { recordEvent } from "./audit.js";
import { reauthenticate } from "./reauthenticate.js";
import { sessionActor, type Authenticated } from "./sessions.js";

/**
 * "Confirm it's you" (sudo mode, SECURITY 17, 29). With 2FA on only a current
 * code of one of the user's methods counts: a password alone is what a thief
 * who shoulder-surfed or phished it would have. With 2FA off the password is
 * the strongest factor the account has, so it counts. Every try takes a slot
 * on the user's one counter (reauthenticate), so a stolen session cannot guess
 * codes at leisure. Success marks the session freshly authenticated.
 */
export async function stepUp(
  deps: ServiceDeps,
  auth: Authenticated,
  proof: { code?: string; password?: string },
  context: RequestContext,
): Promise<Result<{ authenticatedAt: number }>> {
  const hasTwoFactor = activeMethods(await deps.store.methods.listMethods(auth.user.id)).length > 0;
  const given = hasTwoFactor ? { code: proof.code ?? "" } : { password: proof.password ?? "" };
  if (hasTwoFactor && !given.code?.trim()) return fail("invalid_code_format", { field: "code" });
  const wrong = await reauthenticate(deps, auth, given, context);
  if (wrong) return wrong;
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    await store.sessions.markSessionAuthenticated(auth.session.id, now);
    await recordEvent(deps, store, { type: "session.confirmed", subject: auth.user, context, detail: { factor: hasTwoFactor ? "code" : "password" } });
  });
  auth.session.authenticatedAt = now;
  return { ok: true, authenticatedAt: now };
}

/**
 * Whether the signed-in user has 2FA on. Acting on other users' 2FA needs it
 * (`requireStepUp` with `forOthers`): the pages of such actions ask first, so
 * a user without 2FA learns what to do before filling in a refused form.
 */
export async function hasOwnTwoFactor(deps: ServiceDeps, auth: Authenticated): Promise<boolean> {
  return activeMethods(await deps.store.methods.listMethods(auth.user.id)).length > 0;
}

/** Whether confirming needs a code (2FA on) or the password (2FA off). */
export const stepUpNeedsCode = hasOwnTwoFactor;

/**
 * Own 2FA settings: with 2FA on, the session must have passed a second factor
 * within config.stepUpMinutes, else `step_up_required` (the page sends the user
 * to /settings/confirm). With 2FA off nothing more than the caller's own check.
 */
export function requireOwnStepUp(deps: ServiceDeps, auth: Authenticated): Promise<Failure | null> {
  return requireStepUp(deps, sessionActor(auth), { forOthers: false });
}
