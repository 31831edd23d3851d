import type { AppsDeps } from "./deps.js";

/**
 * The claims of one user for the apps (issue 15 item 2), filtered by the
 * provider to the scopes granted. `email_verified` is false: twostep does not
 * verify addresses itself (an administrator registers them). An inactive user
 * has none, nor does a code or refresh token whose twostep session has ended:
 * the provider then refuses them (invalid_grant).
 */
export async function accountClaims(deps: AppsDeps, userId: string, source?: { kind?: string; authTime?: number }) {
  const user = await deps.store.accounts.findUserById(userId);
  if (!user || !user.active) return undefined;
  // A code or refresh token lives only as long as the twostep session whose login it carries (made in the
  // second of its auth_time): a logout, a reset, a 2FA change or "sign out everywhere" ends the app's tokens too.
  if ((source?.kind === "RefreshToken" || source?.kind === "AuthorizationCode") && typeof source.authTime === "number") {
    const from = source.authTime * 1000;
    if (!(await deps.store.sessionLogins.hasLiveSessionMadeBetween(userId, from, from + 999, deps.clock.now()))) return undefined;
  }
  const account = await deps.store.accounts.findAccountById(user.accountId);
  if (!account) return undefined;
  return {
    sub: user.id,
    email: user.email,
    email_verified: false,
    name: user.displayName,
    account: { id: account.id, name: account.name, kind: account.kind },
    role: user.role,
  };
}
