/**
 * The text of an SMS code (M2, SECURITY 26). The last line is the WICG
 * origin-bound one-time-code line `@host #code`, so browsers and phones offer
 * the code only on the right site, and autofill it there.
 */
export function composeSmsMessage(input: { code: string; host: string; issuer: string; ttlMinutes: number }): string {
  return `${input.code} is your ${input.issuer} verification code. It expires in ${input.ttlMinutes} minutes. Do not share it.\n\n@${input.host} #${input.code}`;
}

/** Six digits from a uniform random integer in [0, 10^6), zero-padded (SECURITY 24). */
export function formatSmsCode(randomBelowMillion: number): string {
  if (!Number.isInteger(randomBelowMillion) || randomBelowMillion < 0 || randomBelowMillion >= 1_000_000) throw new RangeError("need an integer in [0, 1000000)");
  return randomBelowMillion.toString().padStart(6, "0");
}
