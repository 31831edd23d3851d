/**
 * keys:rotate-signing on a running server: the instance reads the keys every
 * TWOSTEP_OIDC_KEY_REFRESH_SECONDS, publishes the new key first, signs with it
 * once it is old enough, and keeps the old key published meanwhile; ID tokens
 * verify against the JWKS throughout.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { decodeProtectedHeader } from "jose";
import * as client from "openid-client";
import { rotateSigningKey } from "../../src/services/apps/signing-keys.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { authorizationRequest, Browser, exchange, registerApp, relyingParty, signInWithTotp, startOidcServer, type OidcServer } from "../helpers/oidc.js";

describe("signing key rotation on a running instance", () => {
  let server: OidcServer;
  let user: EnrolledUser;
  let config: client.Configuration;
  let app: Awaited<ReturnType<typeof registerApp>>;
  const redirectUri = "http://127.0.0.1:9/cb";
  before(async () => {
    server = await startOidcServer({ env: { TWOSTEP_OIDC_KEY_REFRESH_SECONDS: "1" } });
    user = await enrolTotp(server.runtime.deps);
    app = await registerApp(server, { redirectUris: [redirectUri] });
    config = await relyingParty(server, app);
  });
  after(() => server.close());

  const kids = async () => ((await (await fetch(`${server.issuer}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
  const until = async (condition: () => Promise<boolean>) => {
    for (let tries = 0; tries < 50; tries++) {
      if (await condition()) return;
      await sleep(100); // the instance's own timer reads the keys once a second
    }
    assert.fail("the instance did not pick up the new key set");
  };
  const signedWith = async (rp = config) => {
    const request = await authorizationRequest(rp, redirectUri);
    const tokens = await exchange(rp, await signInWithTotp(server, new Browser(server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 }), request);
    return decodeProtectedHeader(tokens.id_token!).kid;
  };

  it("publishes the new key before it signs, then signs with it while the old one stays published", async () => {
    const [old] = await kids();
    assert.equal(await signedWith(), old);
    const rotation = await rotateSigningKey(server.runtime.deps);
    await until(async () => (await kids()).length === 2);
    assert.deepEqual(await kids(), [old, rotation.newKeyId], "published, not yet signing");
    assert.equal(await signedWith(), old);
    server.clock.advance(2);
    await until(async () => (await kids())[0] === rotation.newKeyId);
    assert.deepEqual(await kids(), [rotation.newKeyId, old]);
    // openid-client refetches a JWKS for an unknown kid only after its 30 s cool-down; this test's 2 s activation is
    // shorter, so a relying party that has not read the JWKS yet checks the new key (the default activation is 120 s).
    assert.equal(await signedWith(await relyingParty(server, app)), rotation.newKeyId, "verified against the JWKS by the relying party");
  });
});
