/**
 * Threat: a stolen authorization code redeemed without the PKCE verifier, or
 * with a guessed one (RFC 7636, RFC 9700 §2.1.1). A public app must send a
 * S256 challenge; `plain` is refused; a missing or wrong verifier fails and
 * ends the code, so the right verifier afterwards gets nothing either.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("attack: missing or wrong PKCE verifier", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let publicApp: { clientId: string };
  let config: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    publicApp = await registerApp(server, { isPublic: true, redirectUris: [redirectUri] });
    config = await relyingParty(server, { clientId: publicApp.clientId, clientSecret: null });
  });
  after(() => server.close());

  it("refuses a public app's request without a code challenge, and a plain one", async () => {
    for (const extra of [{}, { code_challenge: "a".repeat(43), code_challenge_method: "plain" }] as Record<string, string>[]) {
      const response = await fetch(`${server.issuer}/oidc/auth?${new URLSearchParams({ client_id: publicApp.clientId, response_type: "code", scope: "openid", redirect_uri: redirectUri, state: "s", ...extra })}`, { redirect: "manual" });
      const location = new URL(response.headers.get("location") ?? "http://none/");
      assert.equal(`${location.origin}${location.pathname}`, redirectUri);
      assert.equal(location.searchParams.get("error"), "invalid_request");
      assert.equal(location.searchParams.get("code"), null);
    }
  });

  for (const [name, verifier] of [["a wrong verifier", "x".repeat(43)], ["no verifier", undefined]] as const) {
    it(`refuses ${name}, and the code is dead for the right verifier afterwards`, async () => {
      const request = await authorizationRequest(config, redirectUri);
      const callback = await signInWithTotp(server, new Browser(server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
      const code = new URL(callback).searchParams.get("code")!;
      const token = (extra: Record<string, string>) =>
        fetch(`${server.issuer}/oidc/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: publicApp.clientId, ...extra }) });
      const wrong = await token(verifier ? { code_verifier: verifier } : {});
      assert.equal(wrong.status, 400);
      assert.equal(((await wrong.json()) as { error: string }).error, "invalid_grant");
      const right = await token({ code_verifier: request.verifier });
      assert.equal(right.status, 400);
      assert.equal(((await right.json()) as { error: string }).error, "invalid_grant");
    });
  }
});
