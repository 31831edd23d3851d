/** The OpenID Connect settings: defaults, bounds, and TWOSTEP_COOKIE_DOMAIN only for twostep's own domain. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config-env.js";
import { parseOidcConfig } from "../../src/config-oidc.js";

describe("OIDC configuration", () => {
  it("has documented defaults", () => {
    assert.deepEqual(parseOidcConfig({}), { accessTokenTtlSeconds: 900, idTokenTtlSeconds: 900, refreshTokenTtlSeconds: 1_209_600, keyRefreshSeconds: 60, cookieDomain: null });
  });

  it("takes a parent domain of the public URL's host, or the host itself", () => {
    assert.equal(parseOidcConfig({ TWOSTEP_PUBLIC_URL: "https://login.example.com", TWOSTEP_COOKIE_DOMAIN: ".Example.com" }).cookieDomain, "example.com");
    assert.equal(parseOidcConfig({ TWOSTEP_PUBLIC_URL: "https://login.example.com", TWOSTEP_COOKIE_DOMAIN: "login.example.com" }).cookieDomain, "login.example.com");
  });

  it("refuses another domain, a look-alike, a URL or a bare top-level name, naming the variable", () => {
    for (const domain of ["evil.com", "ample.com", "https://example.com", "com", "example.com:443"]) {
      assert.throws(() => parseOidcConfig({ TWOSTEP_PUBLIC_URL: "https://login.example.com", TWOSTEP_COOKIE_DOMAIN: domain }), (error: unknown) => error instanceof ConfigError && /TWOSTEP_COOKIE_DOMAIN/.test(error.message), domain);
    }
  });

  it("refuses lifetimes out of bounds", () => {
    assert.throws(() => parseOidcConfig({ TWOSTEP_OIDC_ACCESS_TOKEN_TTL_SECONDS: "5" }), /TWOSTEP_OIDC_ACCESS_TOKEN_TTL_SECONDS/);
    assert.throws(() => parseOidcConfig({ TWOSTEP_OIDC_KEY_REFRESH_SECONDS: "abc" }), /TWOSTEP_OIDC_KEY_REFRESH_SECONDS/);
  });
});
