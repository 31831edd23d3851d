import { createHmac } from "node:crypto";

export type HashAlgorithm = "SHA1" | "SHA256" | "SHA512";

const nodeAlgorithm: Record<HashAlgorithm, string> = { SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" };

/** The 8-byte counter message, reused: `update` copies it at once and nothing here awaits. */
const counterBytes = Buffer.alloc(8);

/** 10^digits for the digit counts RFC 4226 allows (6–8); a table avoids Math.pow on the hot path. */
const modulo: Record<number, number> = { 6: 1_000_000, 7: 10_000_000, 8: 100_000_000 };

/**
 * HOTP value (RFC 4226 §5.3) as a zero-padded string.
 *
 * The counter is written as an 8-byte big-endian integer (two 32-bit words, so
 * TOTP keeps working past 2038: RFC 6238 vector t = 20000000000).
 * Dynamic truncation takes the offset from the low nibble of the *last* HMAC
 * byte (RFC 4226 §5.4), which is what makes SHA-256/512 work.
 */
export function generateHotp(key: Uint8Array, counter: number, digits = 6, algorithm: HashAlgorithm = "SHA1"): string {
  return hotpValue(key, counter, digits, algorithm).toString().padStart(digits, "0");
}

/**
 * The same HOTP value as a number (what the zero-padded string spells). The verification
 * loop compares these numbers, so it needs no string or Buffer per candidate step.
 */
export function hotpValue(key: Uint8Array, counter: number, digits = 6, algorithm: HashAlgorithm = "SHA1"): number {
  const mod = modulo[digits];
  if (mod === undefined) throw new RangeError(`digits must be 6, 7 or 8, not ${digits}`);
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`counter must be a non-negative integer, not ${counter}`);
  counterBytes.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
  counterBytes.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac(nodeAlgorithm[algorithm], key).update(counterBytes).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return (mac.readUInt32BE(offset) & 0x7fff_ffff) % mod;
}
