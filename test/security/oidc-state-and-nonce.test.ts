/**
 * Threat: a forged or swapped authorization response (login CSRF, token
 * injection). `state` comes back unchanged for the app to check, `iss`
 * names the issuer (RFC 9207), and the ID token carries the request's
 * `nonce`; a relying party that checks them refuses a response made for
 * another request.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { totpUserAndApp } from "../helpers/oidc.js";

describe("attack: swapped state or nonce", () => {
  const given = totpUserAndApp();

  it("returns state byte for byte and the nonce in the ID token; another request's state or nonce is refused", async () => {
    const odd = "a b/c?d=e&f+ü";
    const { config, server } = given;
    const { request, callback } = await given.signIn({ extra: { state: odd } });
    assert.equal(new URL(callback).searchParams.get("state"), odd);
    assert.equal(new URL(callback).searchParams.get("iss"), server.issuer);
    await assert.rejects(client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: "another", expectedNonce: request.nonce }), (error: Error) => /"state"/.test(String((error.cause as Error | undefined)?.message)));
    await assert.rejects(client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: odd, expectedNonce: "another" }), (error: Error) => /nonce/.test(`${error.message} ${String((error.cause as Error | undefined)?.message)}`));
  });

  it("puts the request's nonce in the ID token", async () => {
    const { request, callback } = await given.signIn();
    const tokens = await client.authorizationCodeGrant(given.config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    assert.equal(tokens.claims()?.nonce, request.nonce);
  });
});
