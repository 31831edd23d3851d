/**
 * A confidential app may send its secret to the token endpoint either way:
 * HTTP Basic (client_secret_basic, openid-client's ClientSecretBasic) or in
 * the form body (client_secret_post, ClientSecretPost); both are in
 * discovery. A wrong secret in the body is refused like a wrong one by Basic,
 * and a secret sent both ways at once is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("client_secret_post beside client_secret_basic", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let browser: Browser;
  let app: { clientId: string; clientSecret: string | null };
  const redirectUri = "http://127.0.0.1:9/cb";
  const configure = async (auth: client.ClientAuth) => {
    const config = await client.discovery(new URL(server.issuer), app.clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
    client.enableNonRepudiationChecks(config);
    return config;
  };
  /** A signed-in browser's code for the app, and the request it answers. */
  const signIn = async (config: client.Configuration) => {
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signInWithTotp(server, browser, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    return { request, callback };
  };

  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps, { email: "post-user@example.test" });
    server.clock.advance(30);
    app = await registerApp(server, { name: "Billing", redirectUris: [redirectUri] });
    browser = new Browser(server.issuer);
  });
  after(() => server.close());

  it("lists client_secret_basic and client_secret_post in discovery", async () => {
    const methods = (await configure(client.ClientSecretPost(app.clientSecret!))).serverMetadata().token_endpoint_auth_methods_supported ?? [];
    assert.ok(methods.includes("client_secret_basic") && methods.includes("client_secret_post"), methods.join(" "));
  });

  it("gets tokens and refreshes them with the secret in the form body", async () => {
    const config = await configure(client.ClientSecretPost(app.clientSecret!));
    const { request, callback } = await signIn(config);
    const tokens = await exchange(config, callback, request);
    assert.deepEqual(tokens.claims()?.amr, ["pwd", "otp", "mfa"]);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token);
    // The same app by HTTP Basic, as before.
    const byBasic = await configure(client.ClientSecretBasic(app.clientSecret!));
    const again = await signIn(byBasic);
    assert.ok((await exchange(byBasic, again.callback, again.request)).id_token);
  });

  it("refuses a wrong secret in the body (invalid_client), and a secret sent both ways (invalid_request); the code still works after", async () => {
    const { request, callback } = await signIn(await configure(client.ClientSecretPost(app.clientSecret!)));
    const wrong = await configure(client.ClientSecretPost(`${app.clientSecret!.slice(0, -1)}x`));
    await assert.rejects(exchange(wrong, callback, request), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_client");
    const bothWays: client.ClientAuth = (_as, theClient, body, headers) => {
      client.ClientSecretPost(app.clientSecret!)(_as, theClient, body, headers);
      client.ClientSecretBasic(app.clientSecret!)(_as, theClient, body, headers);
    };
    await assert.rejects(exchange(await configure(bothWays), callback, request), (error: unknown) => error instanceof client.ResponseBodyError && error.error === "invalid_request");
    assert.ok((await exchange(await configure(client.ClientSecretPost(app.clientSecret!)), callback, request)).id_token, "client authentication failed before the code was used");
  });
});
