import type { FactorsDeps } from "./deps.js";
import type { Failure, Result } from "../../domain/errors.js";
import type { User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordVerificationFailure } from "../events/audit.js";
import { givingBackWhenBusy } from "../failures.js";
import { returnAttempt, settleSuccessfulAttempt, takeAttempt } from "../throttle/throttle.js";

/**
 * The one proof check outside the login flow (reauthentication, a method's own
 * code for reset or delete, an enrolment's confirmation). The caller has
 * checked the proof's shape already, so junk costs nothing (SECURITY 5); here a
 * slot on the user's one counter is taken *before* verifying (SECURITY 10), a
 * wrong proof is logged with the lock it may start, because that lock also
 * blocks the user's login (SECURITY 12, A4), and a right one settles the
 * counter — unless `settles` is false (an enrolment settles in the
 * transaction that activates the method). The login's second step does the
 * same through the flow machine's effects (`services/login/second-step.ts`).
 */
export async function countedCheck<T>(
  deps: FactorsDeps,
  user: User,
  check: { action: string; factor: string; wrong: Failure; settles?: boolean; context: RequestContext },
  verify: () => Promise<T | false>,
): Promise<Result<{ value: T }>> {
  const ticket = await takeAttempt(deps, deps.store, user.id, check.context);
  if (!ticket.ok) return ticket;
  // A verify that found no argon2id place (503) checked nothing: its counted attempt is given back.
  const value = await givingBackWhenBusy(verify, () => returnAttempt(deps, deps.store, user.id, check.context));
  if (value === false) {
    await recordVerificationFailure(deps, user, { action: check.action, factor: check.factor, locked: ticket.locksOnFailure, context: check.context });
    return check.wrong;
  }
  if (check.settles !== false) await settleSuccessfulAttempt(deps, deps.store, user.id, check.context);
  return { ok: true, value };
}
