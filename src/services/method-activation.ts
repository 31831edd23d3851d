import { fail, type Result } from "../domain/errors.js";
import { activeMethods } from "../domain/login-flow/flow.js";
import type { Method } from "../domain/model.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { recordEvent } from "./audit.js";
import { effectivePolicyFor } from "./policy.js";
import { prepareRecoveryCodes, storeRecoveryCodes } from "./recovery-codes.js";
import type { Authenticated } from "./sessions.js";
import { settleSuccessfulAttempt } from "./throttle.js";

/** A method still being set up, owned by this user and not expired; anything else looks the same as missing. */
export async function findPendingMethod(deps: ServiceDeps, auth: Authenticated, methodId: string): Promise<Result<{ method: Method }>> {
  const method = await deps.store.findMethod(methodId);
  if (!method || method.userId !== auth.user.id || method.status !== "pending") return fail("enrolment_expired");
  if ((method.pendingExpiresAt ?? 0) <= deps.clock.now()) return fail("enrolment_expired");
  return { ok: true, method };
}

/**
 * The last step of every enrolment, once the code was right (SECURITY 16):
 * activate the method (it becomes the default, M3; a reset's old method dies
 * now, M4), issue recovery codes with the first method (R1), record events,
 * and end the user's other sessions (SECURITY 30). One transaction.
 */
export async function activatePendingMethod(
  deps: ServiceDeps,
  auth: Authenticated,
  pending: Method,
  step: number | null,
  context: RequestContext,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  // M5: the policy may have changed since the setup began.
  if (!(await effectivePolicyFor(deps, auth.user)).allowedMethods.includes(pending.type)) return fail("method_not_allowed_by_policy");
  const firstMethod = activeMethods(await deps.store.listMethods(auth.user.id)).length === 0;
  // Hashing ten codes is slow: done before the transaction, which must stay short.
  const prepared = firstMethod ? await prepareRecoveryCodes(deps) : null;
  return deps.store.transaction(async (store) => {
    // Conditional: a double submit of the same setup activates it once.
    if (!(await store.activateMethod(pending.id, step, deps.clock.now()))) return fail("enrolment_expired");
    await settleSuccessfulAttempt(deps, store, auth.user.id, context);
    if (prepared) await storeRecoveryCodes(deps, store, auth.user, prepared, context);
    const detail = { type: pending.type, name: pending.name };
    await recordEvent(deps, store, { type: pending.replacesMethodId ? "method.reset" : "method.added", subject: auth.user, context, detail });
    if (firstMethod) await recordEvent(deps, store, { type: "two_factor.enabled", subject: auth.user, context, detail: { type: pending.type } });
    await store.revokeUserSessions(auth.user.id, deps.clock.now(), auth.session.id);
    await store.markSessionAuthenticated(auth.session.id, deps.clock.now());
    return { ok: true, recoveryCodes: prepared?.codes ?? null, replaced: pending.replacesMethodId !== null };
  });
}
