import { createHmac } from "node:crypto";

export type HashAlgorithm = "SHA1" | "SHA256" | "SHA512";

const nodeAlgorithm: Record<HashAlgorithm, string> = { SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" };

/** 10^digits for the digit counts RFC 4226 allows (6–8); a table avoids Math.pow on the hot path. */
const modulo: Record<number, number> = { 6: 1_000_000, 7: 10_000_000, 8: 100_000_000 };

/**
 * HOTP value (RFC 4226 §5.3) as a zero-padded string.
 *
 * The counter is written as an 8-byte big-endian integer through BigInt so that
 * TOTP keeps working past 2038 (RFC 6238 vector t = 20000000000).
 * Dynamic truncation takes the offset from the low nibble of the *last* HMAC
 * byte (RFC 4226 §5.4), which is what makes SHA-256/512 work.
 */
export function generateHotp(key: Uint8Array, counter: number, digits = 6, algorithm: HashAlgorithm = "SHA1"): string {
  const mod = modulo[digits];
  if (mod === undefined) throw new RangeError(`digits must be 6, 7 or 8, not ${digits}`);
  const message = Buffer.allocUnsafe(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(nodeAlgorithm[algorithm], key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
  return (binary % mod).toString().padStart(digits, "0");
}
