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

/**
 * Descriptions of recently seen user agents: every login from a new browser
 * describes its client, and bowser's parse runs dozens of regular expressions
 * (bench/README.md, full login). The same few strings repeat; the map starts
 * over when full, so odd strings cannot make it grow without limit.
 */
const described = new Map<string, Readonly<ClientDescription>>();
const describedCapacity = 512;

export function describeClient(userAgent: string | null): Readonly<ClientDescription> {
  if (!userAgent) return { browser: null, os: null };
  const key = userAgent.slice(0, 512);
  const known = described.get(key);
  if (known) return known;
  const parsed = parse(key);
  const major = parsed.browser.version?.split(".")[0];
  const browser = parsed.browser.name ? (major ? `${parsed.browser.name} ${major}` : parsed.browser.name) : null;
  const os = parsed.os.name ? parsed.os.name : null;
  const description = Object.freeze({ browser, os });
  if (described.size >= describedCapacity) described.clear();
  described.set(key, description);
  return description;
}

/** A trusted browser's name on the security page and in its email ("Firefox on Linux"): browser and system, no version. */
export function browserLabel(userAgent: string | null): string {
  const parsed = userAgent ? parse(userAgent) : null;
  const browser = parsed?.browser.name || null;
  const system = parsed?.os.name || null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown browser";
}
