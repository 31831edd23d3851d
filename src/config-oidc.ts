import { ConfigError, integer, type Env } from "./config-env.js";

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
  /**
   * TWOSTEP_COOKIE_DOMAIN (default unset: the session cookie belongs to twostep's host only): a parent
   * domain of TWOSTEP_PUBLIC_URL's host (e.g. `example.com` for `login.example.com`), so the session
   * cookie reaches the sibling hosts whose proxy asks `/forward-auth`.
   */
  cookieDomain: string | null;
}

export function parseOidcConfig(env: Env): OidcConfig {
  return {
    accessTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_ACCESS_TOKEN_TTL_SECONDS", 900, 60, 86400),
    idTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_ID_TOKEN_TTL_SECONDS", 900, 60, 86400),
    refreshTokenTtlSeconds: integer(env, "TWOSTEP_OIDC_REFRESH_TOKEN_TTL_SECONDS", 1_209_600, 300, 31_536_000),
    keyRefreshSeconds: integer(env, "TWOSTEP_OIDC_KEY_REFRESH_SECONDS", 60, 1, 3600),
    cookieDomain: parseCookieDomain(env),
  };
}

function parseCookieDomain(env: Env): string | null {
  const raw = (env.TWOSTEP_COOKIE_DOMAIN ?? "").trim().toLowerCase().replace(/^\./, "");
  if (raw === "") return null;
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(raw)) throw new ConfigError(`TWOSTEP_COOKIE_DOMAIN must be a domain name such as example.com, not "${env.TWOSTEP_COOKIE_DOMAIN}"`);
  const host = new URL(env.TWOSTEP_PUBLIC_URL ?? "http://localhost").hostname;
  if (host !== raw && !host.endsWith(`.${raw}`)) throw new ConfigError(`TWOSTEP_COOKIE_DOMAIN=${raw} must be TWOSTEP_PUBLIC_URL's host (${host}) or a parent domain of it`);
  return raw;
}
