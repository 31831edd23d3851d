import Bowser from "bowser";

/**
 * Issue 17: what a person recognises of a client, from its user agent, parsed
 * with `bowser` (MIT): "Chrome 131", "Linux". Only these two short names are
 * shown or emailed, never the whole user agent string; null when bowser does
 * not know it (an API client such as curl).
 */
export interface ClientDescription {
  browser: string | null;
  os: string | null;
}

function parse(userAgent: string) {
  return Bowser.parse(userAgent.slice(0, 512));
}

export function describeClient(userAgent: string | null): ClientDescription {
  if (!userAgent) return { browser: null, os: null };
  const parsed = parse(userAgent);
  const major = parsed.browser.version?.split(".")[0];
  const browser = parsed.browser.name ? (major ? `${parsed.browser.name} ${major}` : parsed.browser.name) : null;
  const os = parsed.os.name ? parsed.os.name : null;
  return { browser, os };
}

/** A trusted browser's name on the security page and in its email ("Firefox on Linux"): browser and system, no version. */
export function browserLabel(userAgent: string | null): string {
  const parsed = userAgent ? parse(userAgent) : null;
  const browser = parsed?.browser.name || null;
  const system = parsed?.os.name || null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown browser";
}
