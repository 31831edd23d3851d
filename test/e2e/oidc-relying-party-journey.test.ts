/**
 * Issue 15 in Chromium: a small relying party (openid-client, code + PKCE)
 * sends the browser to twostep; the user logs in with the password and a
 * TOTP code on twostep's pages and comes back to the app, whose ID token
 * (verified against the JWKS) says pwd, otp, mfa; `max_age=0` asks for the
 * password and the code again. Chromium checks the CSP's form-action along
 * the whole redirect chain of a form post, so this is also the test that the
 * login's last form may lead to the app's origin. Then the security page lists
 * the app under "Apps you are signed in to" (screenshot), and logging out of
 * twostep there reaches the app's back-channel endpoint through the outbox.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { startMessageDispatcher, type DispatcherLoop } from "../../src/services/messages/message-dispatcher.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { startRelyingParty, type RelyingPartyApp } from "../helpers/oidc-app.js";
import { codeFor } from "../helpers/totp.js";

const skip = hasChromium ? false : `no Chromium at ${chromiumPath}`;

describe("e2e: an app signs a TOTP user in through twostep in Chromium", { skip, timeout: 120_000 }, () => {
  let server: OidcServer;
  let rp: RelyingPartyApp;
  let user: EnrolledUser;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let dispatcher: DispatcherLoop | undefined;
  const shots = new Screenshots("test-output/screenshots", "apps-");
  before(async () => {
    await shots.reset();
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps, { email: "cora.customer@example.test" });
    rp = await startRelyingParty(server);
    ({ browser, context } = await openBrowser());
    dispatcher = startMessageDispatcher(server.runtime.deps, 100);
  });
  after(async () => {
    await dispatcher?.stop();
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await rp?.close();
    await server?.close();
  });

  async function logIn(page: Page) {
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByLabel("Email").fill(user.user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: /log in/i }).click();
    await page.waitForURL((url) => url.pathname === "/login/two-factor");
    server.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(user.keyBase32, server.clock.now()));
    await page.getByRole("button", { name: /verify|continue|log in/i }).first().click();
  }

  async function claimsOn(page: Page): Promise<Record<string, unknown>> {
    await page.waitForURL((url) => url.origin === rp.origin && url.pathname === "/cb");
    return JSON.parse((await page.locator("body").textContent()) ?? "{}") as Record<string, unknown>;
  }

  it("logs in with password and TOTP and lands back on the app with amr pwd, otp, mfa", async () => {
    const page = await context!.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${rp.origin}/start`);
    await logIn(page);
    const claims = await claimsOn(page);
    assert.deepEqual(violations, []);
    assert.equal(claims.sub, user.user.id);
    assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
    assert.equal(claims.acr, "urn:twostep:acr:2fa");
  });

  it("asks for the password and the code again with max_age=0", async () => {
    const page = await context!.newPage();
    await page.goto(`${rp.origin}/start?max_age=0`);
    await logIn(page);
    const claims = await claimsOn(page);
    assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
    assert.ok(Math.abs((claims.auth_time as number) * 1000 - server.clock.now()) < 15_000);
  });

  it("lists the app on the security page, and logging out of twostep reaches the app's back-channel endpoint", async () => {
    const page = await context!.newPage();
    await page.goto(`${server.issuer}/settings/security`);
    const section = page.getByRole("region", { name: "Apps you are signed in to" });
    await section.getByRole("cell", { name: "Customer Control Panel", exact: true }).waitFor();
    await section.getByRole("button", { name: "Sign out of Customer Control Panel" }).waitFor();
    await shots.take(page, "security-page-apps");
    assert.equal(rp.logoutTokens.length, 0);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    const deadline = Date.now() + 10_000;
    while (rp.logoutTokens.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(rp.logoutTokens.length, 1, "the app's back-channel endpoint was called once");
    const { payload } = await jwtVerify(rp.logoutTokens[0]!, createRemoteJWKSet(new URL(`${server.issuer}/oidc/jwks`)), { issuer: server.issuer, audience: rp.clientId, typ: "logout+jwt" });
    assert.equal(payload.sub, user.user.id);
  });
});
