import { acrLevel, loginStrength, requestedAcrLevel, type LoginStrength } from "./login-strength.js";

/**
 * What an app's sign-in (an `oidc-provider` interaction) does with the
 * browser's twostep session. Pure, tested as a table. The twostep session is
 * the only login there is: the interaction either finishes with it, sends the
 * browser through twostep's own login (`fresh`: a new password and second
 * factor even though a session exists), or ends in an error for the app.
 * Never a silent downgrade: a fresh login that still falls short of what the
 * app asked is an error, not a weaker token.
 */
export interface InteractionFacts {
  now: number;
  /** When the app's request arrived (the interaction's creation). */
  startedAt: number;
  /** The provider's reasons for prompting (`no_session`, `login_prompt`, `max_age`, …). */
  reasons: string[];
  maxAgeSeconds?: number;
  acrValues?: string;
  app: { requireTwoFactor: boolean; rememberBrowser: boolean };
  /** The browser's twostep session and how its login ended; null without one. */
  session: { userId: string; createdAt: number; factor: string } | null;
  /** Of the session's user. */
  user: { hasTwoFactor: boolean; hasSecurityKey: boolean } | null;
  /** The login of this sign-in already found the request unmet after the password (`phr` without a key): why. */
  unmetAtLogin?: string | null;
}

export type InteractionDecision =
  | { kind: "login"; fresh: boolean }
  | ({ kind: "finish"; accountId: string; authTimeSeconds: number } & LoginStrength)
  | { kind: "error"; error: "unmet_authentication_requirements"; description: string };

const unmet = (description: string): InteractionDecision => ({ kind: "error", error: "unmet_authentication_requirements", description });

export function decideInteraction(facts: InteractionFacts): InteractionDecision {
  const requested = requestedAcrLevel(facts.acrValues);
  if (requested === null) return unmet("acr_values names no level twostep offers");
  if (facts.unmetAtLogin) return unmet(facts.unmetAtLogin);
  const session = facts.session;
  if (!session) return { kind: "login", fresh: false };
  const strength = loginStrength(session.factor);
  const level = acrLevel(strength.acr);
  const fresh = session.createdAt >= facts.startedAt;
  const tooOld = facts.maxAgeSeconds !== undefined && facts.now - session.createdAt > facts.maxAgeSeconds * 1000;
  // max_age, prompt=login and acr_values (an app's step-up) all ask for a new password and second factor.
  const mustBeFresh = tooOld || requested > 0 || facts.reasons.includes("login_prompt") || facts.reasons.includes("max_age") || facts.reasons.includes("max_age_zero");
  if (requested === 3 && facts.user && !facts.user.hasSecurityKey) return unmet("a security key or passkey is needed, and this user has none");
  if (mustBeFresh && !fresh) return { kind: "login", fresh: true };
  // --remember-browser: the app accepts a browser remembered after a second factor; the token still says password only.
  const appRuleMet = !facts.app.requireTwoFactor || level >= 2 || (facts.app.rememberBrowser && session.factor === "remembered_browser");
  if (level >= requested && appRuleMet) {
    return { kind: "finish", accountId: session.userId, authTimeSeconds: Math.floor(session.createdAt / 1000), ...strength };
  }
  if (!fresh) return { kind: "login", fresh: true };
  return unmet(requested === 3 ? "the login did not use a security key or passkey" : "the login did not use a second factor");
}
