import type { ServiceDeps } from "../deps.js";

/**
 * The claims of one user for the apps (issue 15 item 2), filtered by the
 * provider to the scopes granted. `email_verified` is false: twostep does not
 * verify addresses itself (an administrator registers them). An inactive user
 * has none: the provider then refuses codes and refresh tokens (invalid_grant).
 */
export async function accountClaims(deps: ServiceDeps, userId: string) {
  const user = await deps.store.accounts.findUserById(userId);
  if (!user || !user.active) return undefined;
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
