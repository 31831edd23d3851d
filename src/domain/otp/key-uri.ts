import { base32nopad } from "@scure/base";
import { defaultTotpParameters, type TotpParameters } from "./totp.js";

/**
 * otpauth:// URI in the form every authenticator app reads (SECURITY 19):
 * `otpauth://totp/Issuer:account?secret=BASE32NOPAD&issuer=Issuer`.
 * A ':' inside issuer or account would split the label wrongly, so it is removed.
 */
export function createTotpKeyUri(issuer: string, accountName: string, key: Uint8Array, parameters: TotpParameters = defaultTotpParameters): string {
  const cleanIssuer = issuer.replaceAll(":", "").trim();
  const cleanAccount = accountName.replaceAll(":", "").trim();
  const label = `${encodeURIComponent(cleanIssuer)}:${encodeURIComponent(cleanAccount)}`;
  const query = new URLSearchParams({ secret: encodeBase32Key(key), issuer: cleanIssuer });
  if (parameters.algorithm !== "SHA1") query.set("algorithm", parameters.algorithm);
  if (parameters.digits !== 6) query.set("digits", String(parameters.digits));
  if (parameters.periodInSeconds !== 30) query.set("period", String(parameters.periodInSeconds));
  return `otpauth://totp/${label}?${query.toString().replaceAll("+", "%20")}`;
}

export function encodeBase32Key(key: Uint8Array): string {
  return base32nopad.encode(key);
}

/** The key as people type it: groups of four characters (Keycloak style). */
export function groupBase32Key(base32: string): string {
  return base32.match(/.{1,4}/g)?.join(" ") ?? "";
}
