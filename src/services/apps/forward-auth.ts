import type { AppsDeps } from "./deps.js";
import type { OidcClient } from "../../store/store.js";
import type { Authenticated } from "../sessions/sessions.js";
import { cachedClients } from "./clients.js";
import { interactionUidOf } from "./interaction-return.js";
import { payloadIdHash } from "./provider-names.js";
import { acrLevel, loginStrength } from "./login-strength.js";

/** The app whose `--forward-auth-url` origins include `origin`, or null (from the instance's list of apps, at most `appListLifetimeMs` old). */
export async function findForwardAuthApp(deps: AppsDeps, origin: string): Promise<OidcClient | null> {
  return (await cachedClients(deps)).find((client) => client.forwardAuthOrigins.includes(origin)) ?? null;
}

/**
 * An absolute URL on a registered forward-auth origin, in its normal form, or
 * null: `//evil`, `https:evil`, backslashes, control characters, other
 * schemes and unregistered origins are all null (no open redirect).
 */
export async function forwardAuthTarget(deps: AppsDeps, value: unknown): Promise<string | null> {
  if (typeof value !== "string" || value.length > 2048 || /[\u0000-\u0020\u007f\\]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) return null;
  return (await findForwardAuthApp(deps, url.origin)) ? url.href : null;
}

/**
 * Where a login may go when it ends: an app's sign-in on twostep itself (still
 * in progress: a return kept from an abandoned sign-in is dropped), or a page
 * of a forward-auth app.
 */
export async function checkReturnTo(deps: AppsDeps, value: unknown): Promise<string | null> {
  const uid = interactionUidOf(value);
  if (uid) return (await deps.store.oidcPayloads.findOidcPayload("Interaction", payloadIdHash(uid), deps.clock.now())) ? (value as string) : null;
  return forwardAuthTarget(deps, value);
}

/**
 * A header value as Node writes it (latin1): line breaks become spaces, and a non-ASCII name goes
 * out as its UTF-8 bytes. Printable ASCII, the usual case, is already that and is kept as it is.
 */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : Buffer.from(value.replace(/[\r\n]/g, " "), "utf8").toString("latin1");
}

export type ForwardAuthDecision =
  | { kind: "unknown_origin" }
  | { kind: "allow"; headers: Record<string, string> }
  /** Log in (again, with `fresh`) and come back to `returnTo`. */
  | { kind: "login"; returnTo: string; fresh: boolean };

/**
 * GET /forward-auth (issue 15 item 4): may this browser see this page of the
 * legacy panel? Only for a registered origin (else 403), with a full twostep
 * session that meets the app's 2FA rule (the account policy already decided
 * whether the session could exist at all).
 */
export async function decideForwardAuth(deps: AppsDeps, originalUrl: URL, auth: Authenticated | undefined): Promise<ForwardAuthDecision> {
  const app = await findForwardAuthApp(deps, originalUrl.origin);
  if (!app) return { kind: "unknown_origin" };
  if (!auth) return { kind: "login", returnTo: originalUrl.href, fresh: false };
  if (app.requireTwoFactor) {
    const factor = (await deps.store.sessionLogins.findSessionLogin(auth.session.id))?.factor ?? "password";
    const met = acrLevel(loginStrength(factor).acr) >= 2 || (app.rememberBrowser && factor === "remembered_browser");
    if (!met) return { kind: "login", returnTo: originalUrl.href, fresh: true };
  }
  return {
    kind: "allow",
    headers: {
      "Remote-User": headerValue(auth.user.email),
      "Remote-Email": headerValue(auth.user.email),
      "Remote-Name": headerValue(auth.user.displayName),
      "Remote-Groups": `${auth.account.kind},${auth.user.role}`,
      "Remote-Account": auth.account.id,
    },
  };
}
