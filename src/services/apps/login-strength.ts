/**
 * What the apps are told about how a user logged in (issue 15 item 2), from
 * the factor a twostep session's login ended with. Pure. Never claims more
 * than happened: a recovery code is `recovery_code`, not `otp`; a remembered
 * browser skipped the second step, so it is the password alone.
 *
 * `acr` values, weakest first (README "Connect an app"):
 * - `urn:twostep:acr:1fa`: the password alone;
 * - `urn:twostep:acr:2fa`: the password and a second factor (app code, SMS, recovery code, security key);
 * - `phr`: the password and a security key or passkey, which phishing cannot relay
 *   (OpenID Connect EAP ACR Values 1.0, "phishing-resistant").
 */
export const acrOneFactor = "urn:twostep:acr:1fa";
export const acrTwoFactors = "urn:twostep:acr:2fa";
export const acrPhishingResistant = "phr";
export const acrValuesSupported = [acrOneFactor, acrTwoFactors, acrPhishingResistant] as const;
export type Acr = (typeof acrValuesSupported)[number];

const levelOf: Record<Acr, number> = { [acrOneFactor]: 1, [acrTwoFactors]: 2, [acrPhishingResistant]: 3 };

export function acrLevel(acr: string | undefined | null): number {
  return acr && Object.hasOwn(levelOf, acr) ? levelOf[acr as Acr] : 0;
}

/** RFC 8176 values for each second factor; `recovery_code` is twostep's own name (RFC 8176 has none for it). */
const secondFactorAmr: Record<string, string> = { totp: "otp", sms: "sms", webauthn: "hwk", recovery_code: "recovery_code" };

export interface LoginStrength {
  amr: string[];
  acr: Acr;
}

/** `factor`: `password`, `password_reset`, `remembered_browser`, `totp`, `sms`, `webauthn`, `recovery_code`, or `enrolment:<type>`. */
export function loginStrength(factor: string): LoginStrength {
  const second = secondFactorAmr[factor.startsWith("enrolment:") ? factor.slice("enrolment:".length) : factor];
  if (!second) return { amr: ["pwd"], acr: acrOneFactor };
  return { amr: ["pwd", second, "mfa"], acr: second === "hwk" ? acrPhishingResistant : acrTwoFactors };
}

/**
 * The weakest level an `acr_values` request accepts, or null when it names
 * no value twostep knows (then no login can meet it: an error, never a
 * silent downgrade). An empty request asks for nothing (level 0).
 */
export function requestedAcrLevel(acrValues: string | undefined): number | null {
  const values = (acrValues ?? "").split(" ").filter(Boolean);
  if (values.length === 0) return 0;
  const known = values.map(acrLevel).filter((level) => level > 0);
  return known.length === 0 ? null : Math.min(...known);
}
