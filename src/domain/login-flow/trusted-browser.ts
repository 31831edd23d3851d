import type { EventType } from "../model.js";

/**
 * L7 "Remember this browser", the rules as data. A browser the user asked not
 * to be asked again on skips the second step only for the same user, while its
 * row lives, within what the policy allows *now* (a level that lowers the days
 * or turns it off takes effect at the next login), and only after the password
 * (the machine's `password_verified`; never a password reset, never a required
 * enrolment: a user with no method has no second step to skip).
 */
export interface TrustedBrowserFacts {
  userId: string;
  createdAt: number;
  expiresAt: number;
}

const dayInMilliseconds = 86_400_000;

export function trustedBrowserSkipsSecondStep(browser: TrustedBrowserFacts | null, userId: string, rememberBrowserDays: number, now: number): boolean {
  if (!browser || browser.userId !== userId || rememberBrowserDays <= 0) return false;
  return browser.expiresAt > now && browser.createdAt + rememberBrowserDays * dayInMilliseconds > now;
}

export function trustedBrowserExpiry(now: number, days: number): number {
  return now + days * dayInMilliseconds;
}

/**
 * The changes after which no browser of the user is trusted any more (L7): any
 * 2FA change (a method added, removed or reset, 2FA on or off, by the user, an
 * admin or support) and a new password. Each path that makes one records it
 * with `recordChangeAndForgetTrustedBrowsers` (services/events/audit.ts), which
 * forgets the browsers on the change's own ports; `recordEvent` refuses these
 * types (by type, and at run time), so a path added later cannot skip it.
 */
export const changesThatForgetTrustedBrowsers = [
  "two_factor.enabled",
  "two_factor.disabled",
  "method.added",
  "method.removed",
  "method.reset",
  "password.changed",
  "password.reset",
] as const satisfies readonly EventType[];

export type ChangeThatForgetsTrustedBrowsers = (typeof changesThatForgetTrustedBrowsers)[number];

export const eventsThatForgetTrustedBrowsers: ReadonlySet<EventType> = new Set<EventType>(changesThatForgetTrustedBrowsers);
