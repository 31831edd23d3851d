import { fail, type Failure, type Result } from "../domain/errors.js";
import { activeMethods } from "../domain/login-flow/flow.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { requireStepUp } from "./access.js";
import { recordEvent } from "./audit.js";
import type { Challenge } from "./factors/factor.js";
import { factorFor } from "./factors/registry.js";
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
  proof: { code?: string; password?: string; credential?: unknown },
  context: RequestContext,
): Promise<Result<{ authenticatedAt: number }>> {
  const hasTwoFactor = activeMethods(await deps.store.methods.listMethods(auth.user.id)).length > 0;
  const byKey = hasTwoFactor && !proof.code?.trim() && proof.credential !== undefined && proof.credential !== "";
  const given = !hasTwoFactor ? { password: proof.password ?? "" } : byKey ? { credential: proof.credential } : { code: proof.code ?? "" };
  if (hasTwoFactor && !byKey && !given.code?.trim()) return fail("invalid_code_format", { field: "code" });
  const wrong = await reauthenticate(deps, auth, given, context);
  if (wrong) return wrong;
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    await store.sessions.markSessionAuthenticated(auth.session.id, now);
    await recordEvent(deps, store, { type: "session.confirmed", subject: auth.user, context, detail: { factor: !hasTwoFactor ? "password" : byKey ? "security_key" : "code" } });
  });
  auth.session.authenticatedAt = now;
  return { ok: true, authenticatedAt: now };
}

/**
 * "Confirm it's you" with a security key or passkey: a fresh challenge bound to
 * this session (purpose "verify"), for the browser's prompt. Null when none of
 * the user's methods is answered in the browser.
 */
export async function startStepUpInBrowser(deps: ServiceDeps, auth: Authenticated, context: RequestContext): Promise<Result<Challenge> | null> {
  const method = activeMethods(await deps.store.methods.listMethods(auth.user.id)).find((candidate) => factorFor(candidate.type).answeredInBrowser);
  if (!method) return null;
  return factorFor(method.type).startChallenge(deps, { user: auth.user, method, binding: { purpose: "verify", bindingId: auth.session.id }, context });
}

/** Which kinds of proof "Confirm it's you" can take from this user: codes (any code-answered method) and/or the browser's prompt (a key). */
export async function stepUpChoices(deps: ServiceDeps, auth: Authenticated): Promise<{ code: boolean; inBrowser: boolean; inBrowserFirst: boolean }> {
  const methods = activeMethods(await deps.store.methods.listMethods(auth.user.id));
  const inBrowser = methods.some((method) => factorFor(method.type).answeredInBrowser);
  const code = methods.some((method) => !factorFor(method.type).answeredInBrowser);
  const preferred = methods.find((method) => method.isDefault) ?? methods[0];
  return { code, inBrowser, inBrowserFirst: inBrowser && (!code || (preferred !== undefined && factorFor(preferred.type).answeredInBrowser)) };
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
