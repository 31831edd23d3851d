import type { StorefrontDeps } from "./deps.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import { fail, type Result } from "../../domain/errors.js";
import { authorize, findSubjectUser, requireStepUp, type Actor } from "../access/access.js";
import type { RequestContext } from "../deps.js";
import { removeTwoFactor } from "../enrolment/two-factor-removal.js";

/**
 * A3: a reseller's user disables a customer user's 2FA from the storefront
 * manager, for a customer who lost their device and every recovery code.
 * SECURITY 33: its own permission (`customer_two_factor.disable`, only on the
 * reseller's own customers, never upward), then a fresh second factor from the
 * reseller user (step-up, and they must have 2FA themselves). In one
 * transaction: every method and recovery code is deleted, every session of the
 * customer ends, and `two_factor.disabled` lands in the customer's log with the
 * reseller user as actor (so both logs list it); the customer is emailed that
 * their provider did it. Nothing secret is returned or logged.
 */
export async function disableCustomerTwoFactor(
  deps: StorefrontDeps,
  actor: Actor,
  customerUserId: string,
  context: RequestContext,
  options: { accountId?: string } = {},
): Promise<Result<{ user: { id: string; email: string; displayName: string; accountId: string } }>> {
  const subject = await findSubjectUser(deps, customerUserId);
  // A user id under another account's path is "no such user" there: the path cannot mix accounts.
  if (!subject || (options.accountId !== undefined && subject.account.id !== options.accountId)) return fail("user_not_found");
  const denied = await authorize(deps, actor, "customer_two_factor.disable", subject, context);
  if (!denied.ok) return denied;
  const stale = await requireStepUp(deps, actor, "others_two_factor");
  if (!stale.ok) return stale;
  const provider = actor.account;
  const done = await deps.store.transaction(async (store) => {
    // Checked inside the transaction: two racing disables remove once and record once.
    if (activeMethods(await store.methods.listMethods(subject.user.id)).length === 0) return false;
    await removeTwoFactor(deps, store, subject.user, context, { reason: "storefront_manager", actor: actor.user, detail: { provider: provider.name } });
    return true;
  });
  if (!done) return fail("two_factor_not_enabled");
  const { id, email, displayName, accountId } = subject.user;
  return { ok: true, user: { id, email, displayName, accountId } };
}
