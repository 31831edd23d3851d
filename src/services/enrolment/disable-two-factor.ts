import type { EnrolmentDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { RequestContext } from "../deps.js";
import { recordChangeAndForgetTrustedBrowsers } from "../events/audit.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { reauthenticate } from "../sessions/reauthenticate.js";
import type { Authenticated } from "../sessions/sessions.js";
import { requireOwnStepUp } from "../sessions/step-up.js";
import { removeTwoFactor } from "./two-factor-removal.js";
import { checkNewPassword } from "../access/users.js";

/** Whether disabling asks for a new password too (policy `rotatePasswordOnDisable`, D1). */
export async function disableNeedsNewPassword(deps: EnrolmentDeps, auth: Authenticated): Promise<boolean> {
  return (await effectivePolicyFor(deps, auth.user)).rotatePasswordOnDisable;
}

/**
 * D1: the current password turns 2FA off, in a session that passed a second
 * factor within the step-up window (SECURITY 17, 29): a stolen session plus a
 * phished password is not enough. The window is checked first, so a stale
 * session learns nothing about the password and spends no attempt. Under `rotatePasswordOnDisable` a new
 * password is set in the same change.
 */
export async function disableTwoFactor(
  deps: EnrolmentDeps,
  auth: Authenticated,
  input: { password: string; newPassword?: string },
  context: RequestContext,
): Promise<Result<{ passwordChanged: boolean }>> {
  if (activeMethods(await deps.store.methods.listMethods(auth.user.id)).length === 0) return fail("two_factor_not_enabled");
  const stale = await requireOwnStepUp(deps, auth);
  if (!stale.ok) return stale;
  const rotate = await disableNeedsNewPassword(deps, auth);
  if (rotate) {
    const problem = checkNewPassword(input.newPassword ?? "", "newPassword");
    if (!problem.ok) return problem;
  }
  const wrong = await reauthenticate(deps, auth, { password: input.password }, context);
  if (!wrong.ok) return wrong;
  const newHash = rotate ? await deps.passwords.hash(input.newPassword!) : null;
  await deps.store.transaction(async (store) => {
    await removeTwoFactor(deps, store, auth.user, context, { reason: "user_disabled", keepSessionId: auth.session.id });
    if (newHash) {
      await store.accounts.updatePasswordHash(auth.user.id, newHash);
      // A password change ends the logins begun with the old password, like a reset.
      await store.sessions.endUserLoginFlows(auth.user.id, deps.clock.now());
      await recordChangeAndForgetTrustedBrowsers(deps, store, { type: "password.changed", subject: auth.user, context, detail: { reason: "two_factor_disabled" } });
    }
    await store.sessions.markSessionAuthenticated(auth.session.id, deps.clock.now());
  });
  return { ok: true, passwordChanged: rotate };
}
