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
