import type { SessionsDeps } from "./deps.js";
import { fail, type Outcome, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { RequestContext } from "../deps.js";
import { requireStepUp } from "../access/access.js";
import { recordEvent } from "../events/audit.js";
import type { Challenge } from "../factors/factor.js";
import { proofChoices, type ProofChoices } from "../factors/proof-choices.js";
import { factorFor } from "../factors/registry.js";
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
  deps: SessionsDeps,
  auth: Authenticated,
  proof: { code?: string; password?: string; credential?: unknown },
  context: RequestContext,
): Promise<Result<{ authenticatedAt: number }>> {
  const hasTwoFactor = activeMethods(await deps.store.methods.listMethods(auth.user.id)).length > 0;
  const byKey = hasTwoFactor && !proof.code?.trim() && proof.credential !== undefined && proof.credential !== "";
  const given = !hasTwoFactor ? { password: proof.password ?? "" } : byKey ? { credential: proof.credential } : { code: proof.code ?? "" };
  if (hasTwoFactor && !byKey && !given.code?.trim()) return fail("invalid_code_format", { field: "code" });
  const wrong = await reauthenticate(deps, auth, given, context);
  if (!wrong.ok) return wrong;
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    await store.sessions.markSessionAuthenticated(auth.session.id, now);
    await recordEvent(deps, store, { type: "session.confirmed", subject: auth.user, context, detail: { factor: !hasTwoFactor ? "password" : byKey ? "security_key" : "code" } });
  });
  auth.session.authenticatedAt = now;
  return { ok: true, authenticatedAt: now };
}

/** What "Confirm it's you" can take from this user, from one read of their methods. */
export interface StepUpChoices extends ProofChoices {
  /** 2FA is on: a code or a key, not the password. */
  needsCode: boolean;
}

export async function stepUpChoices(deps: SessionsDeps, auth: Authenticated): Promise<StepUpChoices> {
  const methods = activeMethods(await deps.store.methods.listMethods(auth.user.id));
  return { needsCode: methods.length > 0, ...proofChoices(methods) };
}

/**
 * "Confirm it's you" with a security key or passkey: a fresh challenge bound to
 * this session (purpose "verify"), for the browser's prompt. Null when none of
 * the user's methods is answered in the browser.
 */
export async function startStepUpInBrowser(deps: SessionsDeps, auth: Authenticated, context: RequestContext, choices?: StepUpChoices): Promise<Result<Challenge> | null> {
  const method = (choices ?? (await stepUpChoices(deps, auth))).inBrowser;
  if (!method) return null;
  return factorFor(method.type).startChallenge(deps, { user: auth.user, method, binding: { purpose: "verify", bindingId: auth.session.id }, context });
}

/**
 * Whether the signed-in user has 2FA on. Acting on other users' 2FA needs it
 * (`requireStepUp` with `forOthers`): the pages of such actions ask first, so
 * a user without 2FA learns what to do before filling in a refused form.
 */
export async function hasOwnTwoFactor(deps: SessionsDeps, auth: Authenticated): Promise<boolean> {
  return activeMethods(await deps.store.methods.listMethods(auth.user.id)).length > 0;
}

/**
 * Own 2FA settings: with 2FA on, the session must have passed a second factor
 * within config.stepUpMinutes, else `step_up_required` (the page sends the user
 * to /settings/confirm). With 2FA off nothing more than the caller's own check.
 */
export function requireOwnStepUp(deps: SessionsDeps, auth: Authenticated): Promise<Outcome> {
  return requireStepUp(deps, sessionActor(auth), "own");
}
