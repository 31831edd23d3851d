import type { LoginDeps, LoginPorts } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { trustedBrowserExpiry, trustedBrowserSkipsSecondStep } from "../../domain/login-flow/trusted-browser.js";
import { browserLabel } from "../sessions/client-description.js";
import type { User } from "../../domain/model.js";
import { createToken, hashToken, isTokenShaped } from "../../security/tokens.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
import { effectivePolicyFor } from "../policy/policy.js";

/**
 * L7 "Remember this browser": the cookie token is 256 random bits, handed to
 * the browser once; only its SHA-256 hash is stored, bound to the user. The
 * decision (same user, alive, within today's policy) is the domain's
 * (login-flow/trusted-browser.ts); here it is loaded, written and forgotten.
 */

/** What the security page and the API list; `id` is the stored hash (it cannot be turned back into the cookie). */
export interface TrustedBrowserView {
  id: string;
  label: string;
  createdAt: number;
  expiresAt: number;
}

/** Whether the cookie `token` lets this user skip the second step now (L7). */
export async function trustedBrowserSkips(deps: LoginDeps, token: unknown, user: User, rememberBrowserDays: number, store: LoginPorts): Promise<boolean> {
  if (!isTokenShaped(token) || rememberBrowserDays <= 0) return false;
  const now = deps.clock.now();
  const browser = await store.trustedBrowsers.findTrustedBrowser(hashToken(token), now);
  return trustedBrowserSkipsSecondStep(browser, user.id, rememberBrowserDays, now);
}

/** The days the second-step form offers this user (0: no box). */
export async function rememberDaysFor(deps: LoginDeps, user: User): Promise<number> {
  return (await effectivePolicyFor(deps, user)).rememberBrowserDays;
}

/** The `trust_browser` effect: a new token for the cookie, its hash stored, `browser.remembered` (and its email) recorded. */
export async function trustBrowser(deps: LoginDeps, store: LoginPorts, user: User, days: number, context: RequestContext): Promise<string> {
  const token = createToken();
  const now = deps.clock.now();
  const label = browserLabel(context.userAgent);
  await store.trustedBrowsers.trustBrowser({ tokenHash: hashToken(token), userId: user.id, label, createdAt: now, expiresAt: trustedBrowserExpiry(now, days) });
  await recordEvent(deps, store, { type: "browser.remembered", subject: user, context, detail: { name: label, days } });
  return token;
}

export async function listTrustedBrowsers(deps: LoginDeps, user: User): Promise<TrustedBrowserView[]> {
  const browsers = await deps.store.trustedBrowsers.listTrustedBrowsers(user.id, deps.clock.now());
  return browsers.map((browser) => ({ id: browser.tokenHash, label: browser.label, createdAt: browser.createdAt, expiresAt: browser.expiresAt }));
}

/** "Forget" one browser of the signed-in user; another user's id is not found (404), never forgotten. */
export async function forgetTrustedBrowser(deps: LoginDeps, user: User, id: string, context: RequestContext): Promise<Result<{ forgotten: number }>> {
  return deps.store.transaction(async (store) => {
    if (!(await store.trustedBrowsers.forgetTrustedBrowser(user.id, id))) return fail("not_found", { field: "id" });
    await recordEvent(deps, store, { type: "browser.forgotten", subject: user, context, detail: { count: 1, reason: "forgotten" } });
    return { ok: true, forgotten: 1 };
  });
}

/** "Forget all": every trusted browser of the signed-in user. */
export async function forgetAllTrustedBrowsers(deps: LoginDeps, user: User, context: RequestContext): Promise<{ forgotten: number }> {
  return deps.store.transaction(async (store) => {
    const forgotten = await store.trustedBrowsers.forgetUserTrustedBrowsers(user.id);
    if (forgotten > 0) await recordEvent(deps, store, { type: "browser.forgotten", subject: user, context, detail: { count: forgotten, reason: "forget_all" } });
    return { forgotten };
  });
}
