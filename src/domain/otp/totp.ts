import { generateHotp, hotpValue, type HashAlgorithm } from "./hotp.js";

export interface TotpParameters {
  digits: number;
  periodInSeconds: number;
  algorithm: HashAlgorithm;
}

/** What authenticator apps assume; Google Authenticator ignores any other algorithm or period (SECURITY 19). */
export const defaultTotpParameters: TotpParameters = { digits: 6, periodInSeconds: 30, algorithm: "SHA1" };

/** RFC 6238 §4: T = floor((unixTime - T0) / X) with T0 = 0. */
export function totpStep(nowInMilliseconds: number, periodInSeconds = 30): number {
  return Math.floor(nowInMilliseconds / 1000 / periodInSeconds);
}

export function generateTotp(key: Uint8Array, nowInMilliseconds: number, parameters = defaultTotpParameters): string {
  return generateHotp(key, totpStep(nowInMilliseconds, parameters.periodInSeconds), parameters.digits, parameters.algorithm);
}

export interface TotpCheck {
  nowInMilliseconds: number;
  /** Steps accepted on each side of now (RFC 6238 §5.2 recommends at most one). */
  windowSteps: number;
  /** The last step this method accepted; only a strictly greater step may pass (replay, SECURITY 4). */
  lastUsedStep: number | null;
}

/**
 * Finds the time step whose code equals `code`, or null.
 *
 * The format is checked first (SECURITY 5) so malformed input never reaches the HMAC.
 * Every candidate in the window is computed and compared, and the loop does not stop
 * early, so the response time does not tell which step matched. The comparison is of
 * two small integers (one machine comparison, no byte-by-byte early exit), which is
 * constant-time without converting each candidate to a string and a Buffer.
 * Steps at or below `lastUsedStep` are never returned; the caller still has to claim
 * the returned step atomically in the store, which is what stops two racing requests.
 */
export function findTotpStep(key: Uint8Array, code: string, check: TotpCheck, parameters = defaultTotpParameters): number | null {
  if (code.length !== parameters.digits || !/^\d+$/.test(code)) return null;
  const submitted = Number(code);
  const current = totpStep(check.nowInMilliseconds, parameters.periodInSeconds);
  let matched: number | null = null;
  for (let step = current - check.windowSteps; step <= current + check.windowSteps; step++) {
    const equal = (hotpValue(key, step, parameters.digits, parameters.algorithm) ^ submitted) === 0;
    if (equal && matched === null && (check.lastUsedStep === null || step > check.lastUsedStep)) matched = step;
  }
  return matched;
}
