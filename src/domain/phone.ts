import type { CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { fail, type Result } from "./errors.js";

export interface PhoneNumber {
  /** E.164, e.g. +447400123456: what is stored (encrypted) and sent to. */
  e164: string;
  /** ISO 3166 country, e.g. GB: checked against the allowed destinations (SECURITY 25). */
  country: string;
  /** The calling-code prefix, e.g. 44: the "per country prefix" send limit's key. */
  callingCode: string;
}

/** The part of libphonenumber-js (its `/max` entry: full metadata) the rules below use; the caller loads it. */
export interface PhoneLibrary {
  parsePhoneNumberFromString: typeof parsePhoneNumberFromString;
}

/**
 * Validates and normalises a mobile number to E.164 with libphonenumber-js
 * (full metadata, so a landline is refused). A number without "+" is read in
 * `defaultCountry`. The library comes in as an argument: its metadata is about
 * 16 MB of memory, so the services load it at the first number they check
 * (services/factors/sms/phone-numbers.ts), not at start.
 *
 * The whole value must be the number (`extract: false`): by default the library
 * finds a number inside any text, so `+447400133917<script>` was accepted and
 * the junk silently dropped. Only surrounding whitespace is forgiven; an
 * extension ("ext. 12") cannot receive a text and is refused too.
 */
export function parseMobileNumber(library: PhoneLibrary, input: string, allowedCountries: readonly string[], defaultCountry?: string): Result<PhoneNumber> {
  if (input.length > 32) return fail("invalid_phone_number", { field: "phoneNumber" });
  const parsed = library.parsePhoneNumberFromString(input.trim(), { defaultCountry: defaultCountry as CountryCode | undefined, extract: false });
  if (!parsed || !parsed.isValid() || !parsed.country || parsed.ext) return fail("invalid_phone_number", { field: "phoneNumber" });
  const type = parsed.getType();
  if (type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE") return fail("not_a_mobile_number", { field: "phoneNumber" });
  if (!allowedCountries.includes(parsed.country)) return fail("phone_country_not_allowed", { field: "phoneNumber" });
  return { ok: true, e164: parsed.number, country: parsed.country, callingCode: parsed.countryCallingCode };
}

/** How a number is shown once enrolled (M2): the calling code and the last three digits only. */
export function maskPhoneNumber(e164: string, callingCode: string): string {
  const national = e164.slice(1 + callingCode.length);
  return `+${callingCode} ${"•".repeat(Math.max(national.length - 3, 0))}${national.slice(-3)}`;
}
