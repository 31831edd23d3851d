import type { ClientMetadata } from "oidc-provider";
import type { OidcClient } from "../../store/store.js";

/** twostep's per-app flags, carried in the provider's client metadata (`extraClientMetadata`). */
export const requireTwoFactorProperty = "twostep_require_two_factor";
export const rememberBrowserProperty = "twostep_remember_browser";

/**
 * A registered app as the provider sees it. Every app is `web` (its redirect
 * URIs compare exactly; a native app would accept any loopback port), uses the
 * code flow only, and signs ID tokens with RS256. A confidential app is
 * registered as `client_secret_basic`, and the library (9.x) takes its secret
 * either way, HTTP Basic or in the form body (`client_secret_post`, listed in
 * `clientAuthMethods`): for a secret, the two are one method to it
 * (lib/shared/client_auth.js). `client_secret` holds the
 * secret's *hash*: the provider compares through `compareClientSecret`
 * (provider.ts), and no HS* algorithm (which would key on it) is enabled.
 */
export function clientMetadataOf(client: OidcClient): ClientMetadata {
  return {
    client_id: client.id,
    client_name: client.name,
    ...(client.secretHash ? { client_secret: client.secretHash, token_endpoint_auth_method: "client_secret_basic" } : { token_endpoint_auth_method: "none" }),
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    ...(client.backchannelLogoutUri ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    application_type: "web",
    id_token_signed_response_alg: "RS256",
    [requireTwoFactorProperty]: client.requireTwoFactor,
    [rememberBrowserProperty]: client.rememberBrowser,
  };
}
