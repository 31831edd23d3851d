import type { AppsDeps } from "./deps.js";
import { payloadIdHash } from "./provider-names.js";

const model = "twostep:InteractionStart";

/**
 * When twostep first saw an app's sign-in, to the millisecond, kept on the
 * server beside the provider's rows (never in a cookie a stolen session could
 * rewrite). A session made after it is a fresh login for `max_age`,
 * `prompt=login` and `acr_values`; the provider's own `iat` counts whole
 * seconds, so a login a moment before the request would pass for fresh.
 */
export async function interactionStartedAt(deps: AppsDeps, uid: string, expiresAt: number): Promise<number> {
  const idHash = payloadIdHash(uid);
  const now = deps.clock.now();
  const seen = await deps.store.oidcPayloads.findOidcPayload(model, idHash, now);
  if (seen) return (JSON.parse(seen.payload) as { startedAt: number }).startedAt;
  await deps.store.oidcPayloads.upsertOidcPayload({ model, idHash, payload: JSON.stringify({ startedAt: now }), grantId: null, uid: null, userCode: null, accountId: null, expiresAt });
  return now;
}
