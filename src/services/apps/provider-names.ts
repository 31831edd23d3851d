import { createHash, hkdfSync } from "node:crypto";

/**
 * What the rest of twostep knows of the OpenID Connect provider without loading `oidc-provider`
 * (about 38 MB of memory with koa and jose, bench/memory-split.ts): where it is mounted, how its
 * stored rows are keyed, and its cookie key. provider.ts builds the provider itself, on first use.
 */

/** Every endpoint lives under this prefix; discovery stays at the issuer's `/.well-known/openid-configuration`. */
export const providerPrefix = "/oidc";
export const interactionPath = (uid: string) => `${providerPrefix}/interaction/${uid}`;

/** The rows of the `oidc-provider` models are keyed by this hash: an opaque token's id is the token (OIDC-NOTES §7). */
export const payloadIdHash = (id: string) => createHash("sha256").update(id).digest("base64url");

/** The `_session`/`_interaction` cookies are signed with a key derived from the encryption key: one secret, shared by every instance. */
export function providerCookieKey(encryptionKeyBase64: string): string {
  return Buffer.from(hkdfSync("sha256", Buffer.from(encryptionKeyBase64, "base64"), Buffer.alloc(0), "twostep oidc cookies", 32)).toString("base64url");
}
