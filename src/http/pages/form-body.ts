import { parse } from "node:querystring";

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** A `%` not followed by two hexadecimal digits. */
const brokenEscape = /%(?![0-9A-Fa-f]{2})/;

/** The error Fastify answers with: `classifyFrameworkError` maps its code to the catalogue's `malformed_encoding`. */
export class MalformedEncodingError extends Error {
  readonly code = "ERR_MALFORMED_FORM_ENCODING";
  readonly statusCode = 400;
  constructor() {
    super("the form body is not valid URL encoding of UTF-8");
  }
}

/**
 * Parses an `application/x-www-form-urlencoded` body, or refuses it. Lenient
 * parsers keep a broken `%ZZ` as it is and turn bytes that are not UTF-8 into
 * U+FFFD, so junk reached the login as a plausible email and was counted as a
 * wrong password (issue 18 finding 5). Here it never reaches a route: a `%`
 * without two hex digits, an escape sequence that decodes to invalid UTF-8, or
 * raw bytes that are not UTF-8 are a 400 before CSRF, counters or services.
 */
export function parseFormBody(body: Buffer): Record<string, string | string[]> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedEncodingError();
  }
  if (brokenEscape.test(text)) throw new MalformedEncodingError();
  for (const part of text.split("&")) {
    try {
      decodeURIComponent(part.replace(/\+/g, " "));
    } catch {
      throw new MalformedEncodingError();
    }
  }
  return parse(text) as Record<string, string | string[]>;
}
