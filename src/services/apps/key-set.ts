/**
 * Which signing keys the provider publishes and which one signs, from the
 * stored keys and the time (pure, tested as a table). Rotation in two phases
 * without a restart (OIDC-NOTES §8): a new key is published at once, and signs
 * only once it is `activationMs` old, by which time every instance has read it
 * (each reads the keys every `keyRefreshSeconds`; activation is twice that).
 * The first key ever signs at once: no token exists yet. A key that stopped
 * signing stays published until the last token it signed has expired.
 */
export interface KeyTimes {
  id: string;
  createdAt: number;
}

export interface KeySetPlan {
  /** The key that signs now: first in the provider's JWKS. */
  signingKeyId: string;
  /** Every key to publish, the signing key first. */
  publishedKeyIds: string[];
  /** Keys no token verifies with any more: safe to delete. */
  expiredKeyIds: string[];
}

export function planKeySet(keys: readonly KeyTimes[], now: number, options: { activationMs: number; tokenLifetimeMs: number }): KeySetPlan | null {
  if (keys.length === 0) return null;
  const newestFirst = [...keys].sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  const oldest = newestFirst[newestFirst.length - 1]!;
  const active = newestFirst.filter((key) => key.createdAt + options.activationMs <= now || key === oldest);
  const signing = active[0]!;
  const published: string[] = [signing.id];
  const expired: string[] = [];
  for (const [index, key] of newestFirst.entries()) {
    if (key === signing) continue;
    if (key.createdAt > signing.createdAt) {
      published.push(key.id); // newer, not signing yet: published ahead of its first use
      continue;
    }
    // This key signed until the next newer key took over; its tokens live tokenLifetimeMs past that.
    const successor = newestFirst[index - 1]!;
    const stoppedSigningAt = successor.createdAt + options.activationMs;
    if (stoppedSigningAt + options.tokenLifetimeMs > now) published.push(key.id);
    else expired.push(key.id);
  }
  return { signingKeyId: signing.id, publishedKeyIds: published, expiredKeyIds: expired };
}
