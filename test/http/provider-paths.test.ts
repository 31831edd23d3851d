/**
 * Which requests the middleware hands to the OpenID Connect provider (src/http/oidc/mount.ts):
 * discovery and the provider's endpoints (also below themselves), with or without a query
 * string; never twostep's own pages under /oidc, a look-alike path, or anything else.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isProviderPath } from "../../src/http/oidc/mount.js";

describe("isProviderPath", () => {
  it("hands discovery and the provider's endpoints to the provider", () => {
    for (const url of ["/.well-known/openid-configuration", "/.well-known/openid-configuration?x=1", "/oidc/auth", "/oidc/auth?client_id=a", "/oidc/auth/abc", "/oidc/token", "/oidc/token/introspection", "/oidc/me", "/oidc/jwks", "/oidc/session/end", "/oidc/session/end/confirm", "/oidc/request"])
      assert.equal(isProviderPath(url), true, url);
  });

  it("keeps every other path for twostep", () => {
    for (const url of ["/", "/forward-auth", "/login?return_to=%2Foidc%2Fauth", "/oidc", "/oidc/", "/oidc/interaction/abc", "/oidc/authx", "/oidc/tokens", "/.well-known/other", "/.well-known/openid-configurationx", "/api/oidc/auth", "/assets/oidc/token"])
      assert.equal(isProviderPath(url), false, url);
  });
});
