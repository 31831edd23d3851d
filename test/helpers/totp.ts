import { base32nopad } from "@scure/base";
import { generateTotp } from "../../src/domain/otp/totp.js";

/** The code an authenticator app would show for `keyBase32` at `now` (optionally `stepOffset` steps away). */
export function codeFor(keyBase32: string, now: number, stepOffset = 0): string {
  return generateTotp(base32nopad.decode(keyBase32.replace(/\s/g, "")), now + stepOffset * 30_000);
}

/** Pulls the key out of the setup page's grouped key text. */
export function keyFromSetupPage(page: string): string {
  const match = /<code class="key" id="totp-key"[^>]*>([A-Z2-7 ]+)<\/code>/.exec(page);
  if (!match) throw new Error("no key on the setup page");
  return match[1]!.replace(/\s/g, "");
}

export function recoveryCodesFromPage(page: string): string[] {
  return [...page.matchAll(/<li><code>([0-9A-Z-]+)<\/code><\/li>/g)].map((match) => match[1]!);
}

/** A 6-digit code that no step of the ±window accepts at `now`: a guaranteed wrong guess. */
export function wrongCodeFor(key: string, now: number, windowSteps = 1): string {
  const accepted = new Set<string>();
  for (let offset = -windowSteps; offset <= windowSteps; offset++) accepted.add(codeFor(key, now, offset));
  let candidate = Number(codeFor(key, now));
  do candidate = (candidate + 1) % 1_000_000;
  while (accepted.has(String(candidate).padStart(6, "0")));
  return String(candidate).padStart(6, "0");
}
