import { integer, type Env } from "./config-env.js";

/** The OpenID Connect provider's lifetimes (issue 15). Every value has a default; README "Configuration" lists them. */
export interface OidcConfig {
  /** TWOSTEP_OIDC_ACCESS_TOKEN_TTL_SECONDS (default 900): an app's access token lives this long. */
  accessTokenTtlSeconds: number;
  /** TWOSTEP_OIDC_ID_TOKEN_TTL_SECONDS (default 900): an ID token (and so how long a retired signing key stays published past its last use). */
  idTokenTtlSeconds: number;
  /** TWOSTEP_OIDC_REFRESH_TOKEN_TTL_SECONDS (default 1209600 = 14 days): a refresh token; each use rotates it. */
  refreshTokenTtlSeconds: number;
  /**
   * TWOSTEP_OIDC_KEY_REFRESH_SECONDS (default 60): how often each instance reads the signing keys
   * again. A key added by `keys:rotate-signing` is published at once and signs only after twice
   * this, so every instance publishes it before any token carries it.
   */
  keyRefreshSeconds: number;
}

export function parseOidcConfig(env: Env): OidcConfig {
  return {
    accessTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_ACCESS_TOKEN_TTL_SECONDS", 900, 60, 86400),
    idTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_ID_TOKEN_TTL_SECONDS", 900, 60, 86400),
    refreshTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_REFRESH_TOKEN_TTL_SECONDS", 1_209_600, 300, 31_536_000),
    keyRefreshSeconds: integer(env, "TWOSTEP_OIDC_KEY_REFRESH_SECONDS", 60, 1, 3600),
  };
}
