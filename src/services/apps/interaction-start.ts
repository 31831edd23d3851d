import type { AppsDeps } from "./deps.js";
import { payloadIdHash } from "./provider-names.js";

import { interactionUidOf } from "./interaction-return.js";

const model = "twostep:InteractionStart";
const unmetModel = "twostep:InteractionUnmet";

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

/**
 * The login of an app's sign-in found, once the password was right, that the user cannot meet what the app asked
 * (`phr` without a security key or passkey): kept on the server beside the interaction, so that its page ends the
 * sign-in with an error for the app. `returnTo` is the login's kept return (the interaction page); anything else is
 * ignored. Never set from a browser's word alone: only the password step writes it.
 */
export async function markInteractionUnmet(deps: AppsDeps, returnTo: unknown, description: string): Promise<void> {
  const uid = interactionUidOf(returnTo);
  if (!uid) return;
  const now = deps.clock.now();
  await deps.store.oidcPayloads.upsertOidcPayload({ model: unmetModel, idHash: payloadIdHash(uid), payload: JSON.stringify({ description }), grantId: null, uid: null, userCode: null, accountId: null, expiresAt: now + 60 * 60 * 1000 });
}

/** What `markInteractionUnmet` kept for this interaction, or null. */
export async function interactionUnmet(deps: AppsDeps, uid: string): Promise<string | null> {
  const row = await deps.store.oidcPayloads.findOidcPayload(unmetModel, payloadIdHash(uid), deps.clock.now());
  return row ? (JSON.parse(row.payload) as { description: string }).description : null;
}
