import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromiumPath, hasChromium, openBrowser } from "../helpers/chromium.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { addVirtualAuthenticator, type VirtualAuthenticator } from "../helpers/virtual-authenticator.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * The ground security keys and passkeys stand on (issue 9): the browser library
 * twostep serves from itself (/assets/vendor/simplewebauthn-browser.js, no CDN),
 * Debian's Chromium with its virtual authenticator, and @simplewebauthn/server
 * agree on a whole registration and assertion at http://localhost, and the
 * checks the factor will rely on refuse what they must: an assertion replayed
 * (signature counter not higher), signed for another challenge, from another
 * origin, or by a browser whose authenticator lacks the key.
 */
describe("e2e: WebAuthn ceremonies between the served browser library, Chromium's virtual authenticator and the server library", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let origin: string;
  const rpID = "localhost";
  let credential: WebAuthnCredential;

  before(async () => {
    server = await startTestServer();
    origin = server.url.replace("127.0.0.1", "localhost");
    ({ browser, context } = await openBrowser());
    page = await context.newPage();
    authenticator = await addVirtualAuthenticator(context, page);
    await page.goto(`${origin}/login`);
    // The page's own CSP (script-src 'self') admits the bundle because this server serves it.
    await page.addScriptTag({ url: "/assets/vendor/simplewebauthn-browser.js" });
    assert.equal(await page.evaluate(() => typeof (globalThis as { SimpleWebAuthnBrowser?: unknown }).SimpleWebAuthnBrowser), "object");
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  const assertion = async (challengeFor: { credentialId: string }) => {
    const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: challengeFor.credentialId }], userVerification: "preferred" });
    const response = await page.evaluate(
      (optionsJSON) => (globalThis as unknown as { SimpleWebAuthnBrowser: { startAuthentication(o: unknown): Promise<unknown> } }).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
      options,
    );
    return { options, response: response as AuthenticationResponseJSON };
  };

  it("serves the browser library from the server itself, as a script", async () => {
    const response = await fetch(`${server!.url}/assets/vendor/simplewebauthn-browser.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(await response.text(), /SimpleWebAuthnBrowser/);
  });

  it("registers a key and signs in with it; the signature counter rises", async () => {
    const options = await generateRegistrationOptions({ rpName: "twostep", rpID, userName: "alice@example.test", attestationType: "none", authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" } });
    const response = await page.evaluate(
      (optionsJSON) => (globalThis as unknown as { SimpleWebAuthnBrowser: { startRegistration(o: unknown): Promise<unknown> } }).SimpleWebAuthnBrowser.startRegistration({ optionsJSON }),
      options,
    );
    const registration = await verifyRegistrationResponse({ response: response as never, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID });
    assert.equal(registration.verified, true);
    credential = registration.registrationInfo!.credential;
    assert.equal((await authenticator.credentials()).length, 1);

    const { options: login, response: signed } = await assertion({ credentialId: credential.id });
    const verified = await verifyAuthenticationResponse({ response: signed, expectedChallenge: login.challenge, expectedOrigin: origin, expectedRPID: rpID, credential, requireUserVerification: true });
    assert.equal(verified.verified, true);
    assert.ok(verified.authenticationInfo.newCounter > credential.counter, `counter ${credential.counter} → ${verified.authenticationInfo.newCounter}`);
    credential = { ...credential, counter: verified.authenticationInfo.newCounter };
  });

  it("refuses a replayed assertion: its counter is not higher than the stored one", async () => {
    const { options, response } = await assertion({ credentialId: credential.id });
    const first = await verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential });
    assert.equal(first.verified, true);
    const stored = { ...credential, counter: first.authenticationInfo.newCounter };
    await assert.rejects(verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential: stored }), /counter/i);
    credential = stored;
  });

  it("refuses an assertion signed for another challenge or another origin", async () => {
    const { options, response } = await assertion({ credentialId: credential.id });
    const other = await generateAuthenticationOptions({ rpID });
    await assert.rejects(verifyAuthenticationResponse({ response, expectedChallenge: other.challenge, expectedOrigin: origin, expectedRPID: rpID, credential }), /challenge/i);
    await assert.rejects(verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: "https://evil.example", expectedRPID: rpID, credential }), /origin/i);
    await assert.rejects(verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: "evil.example", credential }), /RP ID/i);
  });

  it("a browser whose authenticator lacks the key cannot sign", async () => {
    await authenticator.clear();
    await assert.rejects(assertion({ credentialId: credential.id }), /NotAllowedError|not allowed|timed out/i);
  });
});
