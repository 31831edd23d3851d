/**
 * What an operator may register for an app (issue 15, SECURITY "Apps that
 * rely on twostep"), checked before anything is written. Pure: no I/O.
 * Redirect URIs are kept exactly as given, because the provider matches them
 * exactly; so a URI that is not already in its normal form is refused rather
 * than silently rewritten into one the app never sends.
 */
export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  forwardAuthOrigins: string[];
  isPublic: boolean;
  requireTwoFactor: boolean;
  rememberBrowser: boolean;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or http on a loopback host (development and tests): anything else could leak codes on the network. */
function checkUrl(option: string, text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${option} "${text}" is not an absolute URL`;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return `${option} "${text}" must use https (http only on localhost or 127.0.0.1)`;
  }
  if (url.hash || text.includes("#")) return `${option} "${text}" must not have a fragment`;
  if (url.username || url.password) return `${option} "${text}" must not carry a user name or password`;
  if (url.href !== text) return `${option} "${text}" is not in its normal form; register exactly "${url.href}"`;
  return null;
}

function checkOrigin(text: string): Checked<string> {
  const trimmed = text.endsWith("/") ? text.slice(0, -1) : text;
  const problem = checkUrl("--forward-auth-url", `${trimmed}/`);
  if (problem) return { ok: false, problem };
  const url = new URL(trimmed);
  if (url.origin !== trimmed) return { ok: false, problem: `--forward-auth-url "${text}" must be an origin only (scheme, host and port), such as https://panel.example.com` };
  return { ok: true, value: url.origin };
}

export function checkClientInput(input: ClientInput): Checked<ClientInput> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) return { ok: false, problem: "--name must be 1 to 100 characters, without control characters" };
  if (input.redirectUris.length === 0) return { ok: false, problem: "at least one --redirect-uri is needed" };
  for (const [option, uris] of [["--redirect-uri", input.redirectUris], ["--post-logout-redirect-uri", input.postLogoutRedirectUris]] as const) {
    for (const uri of uris) {
      const problem = checkUrl(option, uri);
      if (problem) return { ok: false, problem };
    }
  }
  if (input.backchannelLogoutUri !== null) {
    const problem = checkUrl("--backchannel-logout-uri", input.backchannelLogoutUri);
    if (problem) return { ok: false, problem };
  }
  const origins: string[] = [];
  for (const text of input.forwardAuthOrigins) {
    const origin = checkOrigin(text);
    if (!origin.ok) return origin;
    origins.push(origin.value);
  }
  return {
    ok: true,
    value: { ...input, name, redirectUris: [...new Set(input.redirectUris)], postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris)], forwardAuthOrigins: [...new Set(origins)] },
  };
}
