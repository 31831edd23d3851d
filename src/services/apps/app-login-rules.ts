import type { AppsDeps } from "./deps.js";
import { requestedAcrLevel } from "./login-strength.js";
import { payloadIdHash } from "./provider-names.js";
import { findForwardAuthApp, forwardAuthTarget } from "./forward-auth.js";
import { interactionUidOf } from "./interaction-return.js";

export { interactionUidOf };

export interface AppLoginRules {
  /** The app's registered name (the enrolment page says which app asks for a second factor). */
  appName: string;
  /** The app (or its acr_values) needs a second factor: a user without one enrols during this login. */
  requireTwoFactor: boolean;
  /** The app asked for `phr` (acr_values): a user without a security key or passkey is refused right after the password. */
  requirePhishingResistant: boolean;
  /** A remembered browser may skip the second step only where the app allows it and asked for no level. */
  allowTrustedBrowser: boolean;
  /** The origin of the app's redirect URI (already matched exactly against its registered ones by the provider). */
  redirectOrigin: string | null;
}

/**
 * The rules a login made for an app follows, read on the server from the
 * interaction the provider stored (which app asked, with which acr_values),
 * or from the forward-auth app whose page the login returns to; never from
 * anything the browser sends but the place to return to. Null when
 * `returnTo` names neither (then the login is an ordinary one).
 */
export async function appLoginRules(deps: AppsDeps, returnTo: unknown): Promise<AppLoginRules | null> {
  const uid = interactionUidOf(returnTo);
  if (!uid) {
    // Forward auth: the registered app of the page the login returns to.
    const target = await forwardAuthTarget(deps, returnTo);
    const app = target ? await findForwardAuthApp(deps, new URL(target).origin) : null;
    return app ? { appName: app.name, requireTwoFactor: app.requireTwoFactor, requirePhishingResistant: false, allowTrustedBrowser: app.rememberBrowser, redirectOrigin: new URL(target!).origin } : null;
  }
  const row = await deps.store.oidcPayloads.findOidcPayload("Interaction", payloadIdHash(uid), deps.clock.now());
  if (!row) return null;
  const params = (JSON.parse(row.payload) as { params?: { client_id?: unknown; acr_values?: unknown; redirect_uri?: unknown } }).params ?? {};
  const client = typeof params.client_id === "string" ? await deps.store.oidcClients.findOidcClient(params.client_id) : null;
  if (!client) return null;
  const requested = requestedAcrLevel(typeof params.acr_values === "string" ? params.acr_values : undefined) ?? 0;
  const redirectUri = typeof params.redirect_uri === "string" && client.redirectUris.includes(params.redirect_uri) ? params.redirect_uri : null;
  return { appName: client.name, requireTwoFactor: client.requireTwoFactor || requested >= 2, requirePhishingResistant: requested >= 3, allowTrustedBrowser: client.rememberBrowser && requested < 2, redirectOrigin: redirectUri ? new URL(redirectUri).origin : null };
}
