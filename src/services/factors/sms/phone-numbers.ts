import { parseMobileNumber as parseWith, type PhoneLibrary, type PhoneNumber } from "../../../domain/phone.js";
import type { Result } from "../../../domain/errors.js";

let library: Promise<PhoneLibrary> | undefined;

/**
 * libphonenumber-js with its full metadata (about 3.6 MB of RSS once the server is loaded) is imported at the first
 * number checked, not at start: a server whose users sign in with an app or a key never loads
 * it (README "Memory"; test/instances/modules-loaded-at-first-use.test.ts). A failed import is
 * tried again by the next call.
 */
function phoneLibrary(): Promise<PhoneLibrary> {
  return (library ??= import("libphonenumber-js/max").catch((error: unknown) => {
    library = undefined;
    throw error;
  }));
}

/** `domain/phone.ts#parseMobileNumber` with the library loaded on first use. */
export async function parseMobileNumber(input: string, allowedCountries: readonly string[], defaultCountry?: string): Promise<Result<PhoneNumber>> {
  return parseWith(await phoneLibrary(), input, allowedCountries, defaultCountry);
}
