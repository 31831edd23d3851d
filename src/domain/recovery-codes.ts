import { base32crockford } from "@scure/base";

/** R1: ten codes per set. */
export const recoveryCodeCount = 10;
/** 16 Crockford base32 characters = 80 bits each, above the 64 bits SECURITY 14 asks for. */
export const recoveryCodeLength = 16;
export const recoveryCodeBytes = 10;

/** Turns 10 random bytes into a code; randomness is an input so tests can pin it. */
export function recoveryCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== recoveryCodeBytes) throw new RangeError(`need ${recoveryCodeBytes} bytes`);
  return base32crockford.encode(bytes);
}

/** ABCD-EFGH-JKMN-PQRS: how codes are shown, printed and downloaded. */
export function formatRecoveryCode(code: string): string {
  return code.match(/.{1,4}/g)!.join("-");
}

/**
 * Canonical form of what a person typed: case, spaces and hyphens do not matter,
 * and Crockford's look-alikes (O→0, I/L→1) are folded. Returns null when the result
 * cannot be a code at all, so malformed input is refused before any hashing.
 */
export function normalizeRecoveryCode(input: string): string | null {
  if (input.length > 64) return null;
  const folded = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(folded) ? folded : null;
}

/** R4: fewer than this many unused codes left → the settings page warns. */
export const fewRecoveryCodesLeft = 3;
