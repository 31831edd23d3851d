import type { ResetDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { twoFactorRequirement } from "../../domain/two-factor-requirement.js";
import { createToken, hashToken, isTokenShaped } from "../../security/tokens.js";
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
import { carryOut, decide } from "../login/login-flow-effects.js";
import { loginStartAfter, type LoginStart } from "../login/start-login.js";
import { recordBrowserAfterLogin } from "../login/new-browser.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { checkNewPassword } from "../access/users.js";
import type { PasswordLinkPurpose } from "../../store/ports/password-resets.js";
import { endAppSessions } from "../apps/app-sessions.js";

/** What the set-password page needs to greet the person: what the link is for, and for an invitation whose account it opens. */
export interface PasswordLinkView {
  purpose: PasswordLinkPurpose;
  displayName: string;
  accountName: string;
}

/**
 * PR1 and A1: whether a link still works, and what for, for the page that asks
 * for the password; it does not use the link. Null for a dead link and for a
 * deactivated user, whom the link would not let in either.
 */
export async function findLivePasswordLink(deps: ResetDeps, token: unknown): Promise<PasswordLinkView | null> {
  if (!isTokenShaped(token)) return null;
  const live = await deps.store.passwordResets.findLivePasswordReset(hashToken(token), deps.clock.now());
  const user = live ? await deps.store.accounts.findUserById(live.userId) : undefined;
  if (!live || !user || !user.active) return null;
  const account = await deps.store.accounts.findAccountById(user.accountId);
  return { purpose: live.purpose, displayName: user.displayName, accountName: account?.name ?? "" };
}

/**
 * PR1, step 2: a new password through a reset link. The link is used once
 * (one conditional write), the new argon2 hash is set, every session of the
 * user ends (SECURITY 30: someone else may hold one), the user's remembered
 * browsers are forgotten (a reset says the old password may be known; a
 * browser that logged in with it must not keep skipping the per-account
 * password delay), the user is emailed (`password.reset`; an invitation's
 * link records `password.set` instead and sends nothing), and the login
 * machine decides what follows from `password_reset_completed`, exactly as
 * after a password: the second step with every method and recovery code, a
 * required enrolment, or a session only for a user without 2FA (SECURITY 31;
 * flask-security #258, Lemmy #3714, Drupal SA-CONTRIB-2023-030). 2FA is left
 * as it was. All of it is one transaction: a crash leaves the link unused and
 * nothing changed.
 */
export async function completePasswordReset(
  deps: ResetDeps,
  input: { token: unknown; newPassword: string; confirmPassword?: string },
  context: RequestContext,
): Promise<Result<LoginStart>> {
  // The password's own problems first: a typo must not cost the user the link.
  const weak = checkNewPassword(input.newPassword, "newPassword");
  if (!weak.ok) return weak;
  if (input.confirmPassword !== undefined && input.confirmPassword !== input.newPassword) return fail("passwords_do_not_match", { field: "confirmPassword" });
  if (!isTokenShaped(input.token)) return fail("reset_link_invalid", { field: "token" });
  const tokenHash = hashToken(input.token);
  const now = deps.clock.now();
  const live = await deps.store.passwordResets.findLivePasswordReset(tokenHash, now);
  const user = live ? await deps.store.accounts.findUserById(live.userId) : undefined;
  if (!user || !user.active) return fail("reset_link_invalid", { field: "token" });

  // argon2 runs before the transaction: it must not hold a connection (or SQLite's write lock).
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const [methods, policy] = await Promise.all([deps.store.methods.listMethods(user.id), effectivePolicyFor(deps, user)]);
  const requirement = twoFactorRequirement([policy.requireTwoFactorFrom], now);
  const decided = decide(deps, null, { type: "password_reset_completed", flowId: deps.newId(), userId: user.id, methods, requirement });
  if (!decided.ok) return decided;
  const flowToken = createToken();
  let browserToken: string | null = null;
  const done = await deps.store.transaction(async (store) => {
    // Single use: of two requests racing with one link only one gets its user back (see consumePasswordReset).
    const used = await store.passwordResets.consumePasswordReset(tokenHash, now);
    // The link acts only for the user its row names, never for anyone the request names.
    if (!used || used.userId !== user.id) return fail("reset_link_invalid", { field: "token" });
    await store.accounts.updatePasswordHash(user.id, passwordHash);
    await store.passwordResets.retireUserPasswordResets(user.id, now);
    await store.sessions.revokeUserSessions(user.id, now);
    await endAppSessions(deps, store, { userId: user.id });
    // A login begun with the old password must not be finished after the reset (its own flow comes next, in carryOut).
    await store.sessions.endUserLoginFlows(user.id, now);
    await store.knownBrowsers.forgetUserKnownBrowsers(user.id);
    // An invited user chose their first password: nothing was reset, and no "your password was reset" email goes out.
    if (used.purpose === "invitation") await recordEvent(deps, store, { type: "password.set", subject: user, context });
    else await recordChangeAndForgetTrustedBrowsers(deps, store, { type: "password.reset", subject: user, context });
    const carried = await carryOut(deps, store, { ...user, passwordHash }, decided, context, { flowTokenHash: hashToken(flowToken) });
    // A session now (no 2FA): its known-browser token is new (the user's were forgotten above) and written here, not after the commit.
    if (carried.ok && carried.sessionToken) browserToken = await recordBrowserAfterLogin(deps, store, user, null, context);
    return carried;
  });
  if (!done.ok) return done;
  return loginStartAfter(deps, { user: { ...user, passwordHash }, methods, allowedMethods: policy.allowedMethods, requirement, flowToken, done, browserToken }, context);
}
