/**
 * Two instances on one database behind a load balancer without sticky
 * sessions (the store TWOSTEP_TEST_DATABASE picks; PostgreSQL in the
 * PostgreSQL run): an app's sign-in begun on one finishes on the other, each
 * request of the browser going to the next instance; both publish the same
 * signing key, and a code issued through one is redeemed at the other, once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { createSharedTestDatabase, type SharedTestDatabase } from "../helpers/database.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("an app's sign-in across two instances", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-oidc-instances-"));
  let shared: SharedTestDatabase;
  let first: OidcServer;
  let second: OidcServer;
  let user: EnrolledUser;
  let config: client.Configuration;
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    shared = await createSharedTestDatabase(dir);
    first = await startOidcServer({ shared });
    second = await startOidcServer({ shared, env: { TWOSTEP_PUBLIC_URL: first.issuer } });
    user = await enrolTotp(first.runtime.deps);
    config = await relyingParty(first, await registerApp(first, { redirectUris: [redirectUri] }));
  });
  after(async () => {
    await second?.close();
    await first?.close();
    await shared?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes one key set on both instances", async () => {
    const jwks = async (server: OidcServer) => ((await (await fetch(`${server.app.listeningOrigin}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    assert.deepEqual(await jwks(second), await jwks(first));
  });

  it("finishes a sign-in begun on one instance on the other, and redeems its code once", async () => {
    const browser = new Browser(first.issuer, [first.app.listeningOrigin, second.app.listeningOrigin]);
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signInWithTotp(first, browser, request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
    assert.ok(callback.startsWith(`${redirectUri}?`), callback);
    const tokens = await exchange(config, callback, request);
    assert.deepEqual(tokens.claims()?.amr, ["pwd", "otp", "mfa"]);
    await assert.rejects(exchange(config, callback, request), "the code is single use across instances");
  });
});
