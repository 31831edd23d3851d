/**
 * API keys (API1, SECURITY 15): `tsk_` + an 8-character public id (40 random
 * bits, base32, lower case) + 43 base64url characters (256 random bits). The
 * prefix makes a key recognisable (secret scanners, and our own APIs refusing
 * it where it does not belong); the public id tells keys apart in lists. The
 * whole key is hashed (tokens.ts#hashToken) and looked up by that hash, so the
 * public part alone finds nothing.
 */
export const apiKeyPrefix = "tsk_";

const shape = /^tsk_[a-z2-7]{8}[A-Za-z0-9_-]{43}$/;

export function generateApiKey(randomBytes: (size: number) => Buffer): { key: string; displayPrefix: string; last4: string } {
  const publicId = base32(randomBytes(5));
  const key = `${apiKeyPrefix}${publicId}${randomBytes(32).toString("base64url")}`;
  return { key, displayPrefix: `${apiKeyPrefix}${publicId}`, last4: key.slice(-4) };
}

/** Cheap shape check before any lookup. */
export function isApiKeyShaped(value: unknown): value is string {
  return typeof value === "string" && shape.test(value);
}

/** Anything that starts like a key, shaped or not: refused where keys do not belong, with a clear code. */
export function looksLikeApiKey(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(apiKeyPrefix);
}

const alphabet = "abcdefghijklmnopqrstuvwxyz234567";

/** RFC 4648 base32 in lower case, for a whole number of 5-byte groups (no padding). */
function base32(bytes: Buffer): string {
  let out = "";
  for (let group = 0; group + 5 <= bytes.length; group += 5) {
    const bits = bytes.readUIntBE(group, 5);
    for (let shift = 35; shift >= 0; shift -= 5) out += alphabet[Math.floor(bits / 2 ** shift) % 32];
  }
  return out;
}
