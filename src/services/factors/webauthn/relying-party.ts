import type { ServiceDeps } from "../../deps.js";

/**
 * The relying party the browser signs for, from TWOSTEP_PUBLIC_URL: its host
 * is the RP ID (no port), its origin the only origin accepted. A response made
 * for another site (phishing) names another origin and RP ID hash and fails.
 */
export function relyingParty(deps: Pick<ServiceDeps, "config">): { id: string; origin: string; name: string } {
  const url = new URL(deps.config.publicUrl);
  return { id: url.hostname, origin: url.origin, name: deps.config.issuer };
}

/** How long a key's prompt may stay open; the challenge dies with it. */
export function promptTimeoutMilliseconds(deps: Pick<ServiceDeps, "config">): number {
  return Math.min(deps.config.loginTtlSeconds, 300) * 1000;
}
