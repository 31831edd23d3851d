import type { AppsDeps } from "./deps.js";
import type Provider from "oidc-provider";
import type { BackchannelLogout, BackchannelOutcome, BackchannelSender } from "../deps.js";
import { loadSigningJwks, signingKeySetVersion } from "./signing-keys.js";

export type { BackchannelOutcome, BackchannelSender };

/** This provider serves no request: it only sends logouts. */
const serveNothing = () => {
  throw new Error("the back-channel sender's provider serves no request");
};

/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0) sent by the
 * library itself: `client.backchannelLogout(sub, sid)` of `oidc-provider`
 * (`lib/models/client.js`) makes the logout token (`iss`, `aud`, `iat`,
 * `exp`, `jti`, `events`, `sub`, and `sid` when the app registered
 * `backchannel_logout_session_required`; `typ: logout+jwt`), signs it with
 * the provider's signing key, POSTs it to the app's registered URI and throws
 * unless the app answers 200 or 204. It needs a provider built with the
 * current keys: this sender keeps one of its own (the one that serves
 * requests lives in the HTTP layer), rebuilt when the published key set
 * changed, with twostep's configuration (provider.ts: the same issuer,
 * clients, and trust in registered back-channel URIs on private addresses).
 * The token is made at send time, never stored: the library gives it 120
 * seconds, so one made at enqueue time would be dead at its first retry.
 * The library is loaded at the first send, like the serving provider
 * (http/oidc/mount.ts): an instance whose apps never ask for back-channel
 * logout never loads it.
 */
export function createBackchannelSender(deps: AppsDeps): BackchannelSender {
  let built: { version: string; provider: Provider } | null = null;
  const current = async (): Promise<Provider> => {
    const version = await signingKeySetVersion(deps);
    if (!built || built.version !== version) {
      const { buildProvider } = await import("./provider.js");
      const provider = buildProvider(
        { deps, jwks: await loadSigningJwks(deps), sameUserSessionAlive: async () => false, twostepSessionOf: async () => null, renderError: serveNothing, logoutSource: serveNothing, postLogoutSuccessSource: serveNothing, afterLogout: async () => serveNothing() },
        [],
      );
      built = { version, provider };
    }
    return built.provider;
  };
  return {
    async send(logout) {
      const provider = await current();
      const client = await provider.Client.find(logout.clientId);
      // The app was removed, or no longer asks for back-channel logout: nothing can ever be sent.
      if (!client?.backchannelLogoutUri) return { ok: false, transient: false, reason: "the app has no back-channel logout URI any more" };
      // The library's method (lib/models/client.js); the DefinitelyTyped types trail the library and omit it.
      const send = client.backchannelLogout as (sub: string, sid: string) => Promise<void>;
      try {
        await send.call(client, logout.sub, logout.sid);
        return { ok: true };
      } catch (error) {
        // The reason names the app's answer or the network error, never the token.
        const status = (error as { response?: { status?: number } }).response?.status;
        return { ok: false, transient: true, reason: status ? `the app answered ${status}` : `back-channel: ${error instanceof Error ? error.name : "error"}${error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message.slice(0, 80)})` : ""}` };
      }
    },
  };
}
