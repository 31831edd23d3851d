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

/** What bowser names of a user agent, kept as the two ways it is shown: the description and the browser's bare name. */
interface ClientNames {
  description: Readonly<ClientDescription>;
  browserName: string | null;
}

/**
 * Names of recently seen user agents: every login from a new browser describes
 * its client, and bowser's parse runs dozens of regular expressions
 * (bench/README.md, full login). The same few strings repeat; the map starts
 * over when full, so odd strings cannot make it grow without limit.
 */
const named = new Map<string, Readonly<ClientNames>>();
const namedCapacity = 512;

function namesOf(userAgent: string): Readonly<ClientNames> {
  const key = userAgent.slice(0, 512);
  const known = named.get(key);
  if (known) return known;
  const parsed = Bowser.parse(key);
  const browserName = parsed.browser.name || null;
  const major = parsed.browser.version?.split(".")[0];
  const description = Object.freeze({ browser: browserName && major ? `${browserName} ${major}` : browserName, os: parsed.os.name || null });
  const names = Object.freeze({ description, browserName });
  if (named.size >= namedCapacity) named.clear();
  named.set(key, names);
  return names;
}

export function describeClient(userAgent: string | null): Readonly<ClientDescription> {
  return userAgent ? namesOf(userAgent).description : { browser: null, os: null };
}

/** A trusted browser's name on the security page and in its email ("Firefox on Linux"): browser and system, no version. */
export function browserLabel(userAgent: string | null): string {
  const names = userAgent ? namesOf(userAgent) : null;
  const browser = names?.browserName ?? null;
  const os = names?.description.os ?? null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? "Unknown browser";
}
