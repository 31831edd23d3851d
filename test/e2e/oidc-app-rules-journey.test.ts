/**
 * Issue 15's app rules in Chromium, with a real relying party (openid-client,
 * code + PKCE, ID tokens verified against the JWKS) on its own origin:
 * - `acr_values=phr` (phishing-resistant): a user with an authenticator app
 *   gets `error=unmet_authentication_requirements` back right after the
 *   password, never a code prompt or a weaker token (and with a session, the
 *   same error at once); a user
 *   with a security key (Chromium's virtual authenticator) logs in with it and
 *   the ID token says acr `phr`, amr pwd, hwk, mfa.
 * - a `--require-two-factor` app and a user without 2FA in an account whose
 *   policy does not require it: the app's sign-in takes the user through
 *   enrolment (the code from oathtool, the authenticator app) and back to the
 *   app with amr pwd, otp, mfa.
 * The site is http://localhost:<port> (an RP ID cannot be an IP address).
 * Screenshots: test-output/screenshots/oidc-rules-NN-*.png.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { generateTotp } from "../../src/domain/otp/totp.js";
import { acrPhishingResistant, acrTwoFactors } from "../../src/services/apps/login-strength.js";
import { checkInputs, newWatchedTab, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { startRelyingParty, type RelyingPartyApp } from "../helpers/oidc-app.js";
import { seedUser } from "../helpers/runtime.js";
import { addVirtualAuthenticator } from "../helpers/virtual-authenticator.js";
import { hasOathtool, oathtoolTotp } from "../interop/tools.js";

const skip = hasChromium ? false : `no Chromium at ${chromiumPath}`;

describe("e2e: an app's acr_values and --require-two-factor in Chromium", { skip, timeout: 180_000 }, () => {
  let server: OidcServer;
  let rp: RelyingPartyApp;
  let strictRp: RelyingPartyApp;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "oidc-rules-");
  const pageErrors: string[] = [];

  before(async () => {
    await shots.reset();
    server = await startOidcServer({ host: "localhost" });
    rp = await startRelyingParty(server, { name: "Customer Control Panel" });
    strictRp = await startRelyingParty(server, { name: "Classic Reseller Interface", requireTwoFactor: true });
    ({ browser, context } = await openBrowser());
  });
  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await rp?.close();
    await strictRp?.close();
    await server?.close();
  });

  const newTab = () => newWatchedTab(browser!, pageErrors);
  /** The authenticator app: oathtool at the server's time (real time plus the test's offset). */
  const phoneCode = (key: string) => (hasOathtool ? oathtoolTotp(key, server.clock.now()) : generateTotp(base32nopad.decode(key), server.clock.now()));
  const arrive = async (page: Page, where: string | RegExp, name: string) => {
    await page.waitForURL((url) => (typeof where === "string" ? url.pathname === where : where.test(url.pathname)), { timeout: 15_000 });
    await page.waitForLoadState("load");
    await shots.take(page, name);
    return checkInputs(page);
  };
  /** What the app's callback shows: the ID token's claims, or the error twostep sent back. */
  async function atApp(page: Page, app: RelyingPartyApp, name: string): Promise<Record<string, unknown>> {
    await page.waitForURL((url) => url.origin === app.origin && url.pathname === "/cb", { timeout: 15_000 });
    await shots.take(page, name);
    return JSON.parse((await page.locator("body").textContent()) ?? "{}") as Record<string, unknown>;
  }
  async function passwordStep(page: Page, email: string, password: string, name: string) {
    const inputs = await arrive(page, "/login", name);
    assert.deepEqual(inputs.map((input) => input.label), ["Email", "Password"]);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  it("acr_values=phr: a user with an authenticator app only gets error=unmet_authentication_requirements back after the password, never a token", async () => {
    const user = await enrolTotp(server.runtime.deps, { email: "tom.totp@example.test" });
    const page = await newTab();
    const visited: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
    });
    await page.goto(`${rp.origin}/start?acr_values=${acrPhishingResistant}`);
    await passwordStep(page, user.user.email, user.password, "phr-totp-password");
    // Straight back to the app: no code is asked for a login that could not give the app what it asked.
    const answer = await atApp(page, rp, "phr-totp-app-error");
    assert.equal(answer.error, "unmet_authentication_requirements", JSON.stringify(answer));
    assert.match(String(answer.error_description), /security key or passkey/);
    assert.equal(answer.acr, undefined, "no ID token");
    assert.ok(!visited.includes("/login/two-factor"), `no second step: ${visited.join(" → ")}`);

    // The ordinary request from the same browser signs in with the app code, saying two factors (not phr).
    await page.goto(`${rp.origin}/start`);
    await passwordStep(page, user.user.email, user.password, "phr-totp-ordinary-password");
    await arrive(page, "/login/two-factor", "phr-totp-ordinary-second-step");
    server.clock.advance(30);
    await page.getByLabel("Authentication code").fill(phoneCode(user.keyBase32));
    await page.getByRole("button", { name: "Verify" }).click();
    const ordinary = await atApp(page, rp, "phr-totp-ordinary-sign-in");
    assert.equal(ordinary.acr, acrTwoFactors);
    assert.deepEqual(ordinary.amr, ["pwd", "otp", "mfa"]);

    // Now signed in to twostep with the app code: the phr request is refused at once, no page in between.
    visited.length = 0;
    await page.goto(`${rp.origin}/start?acr_values=${acrPhishingResistant}`);
    const again = await atApp(page, rp, "phr-totp-with-session-app-error");
    assert.equal(again.error, "unmet_authentication_requirements");
    assert.ok(!visited.includes("/login") && !visited.includes("/login/two-factor"), `no login asked for what cannot be met: ${visited.join(" → ")}`);
    await page.context().close();
  });

  it("acr_values=phr: a user with a security key logs in with it and the ID token says phr with amr pwd, hwk, mfa", async () => {
    const { user, password } = await seedUser(server.runtime.deps, { email: "kim.key@example.test" });
    const page = await newTab();
    const authenticator = await addVirtualAuthenticator(page.context(), page);
    // The user adds a key on twostep's own pages first.
    await page.goto(`${server.issuer}/login`);
    await passwordStep(page, user.email, password, "phr-key-first-login");
    await arrive(page, "/settings/security", "phr-key-security-page");
    await page.getByRole("link", { name: "Add a security key or passkey" }).click();
    await arrive(page, "/settings/security-keys/new", "phr-key-confirm-password");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Name of the key").fill("YubiKey 5C");
    await page.getByRole("button", { name: "Add security key or passkey" }).click();
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).first().waitFor({ timeout: 15_000 });
    await shots.take(page, "phr-key-recovery-codes");
    assert.equal((await authenticator.credentials()).length, 1);

    // The app asks for phishing resistance: a fresh password and the key (it starts at once), then back to the app.
    await page.goto(`${rp.origin}/start?acr_values=${acrPhishingResistant}`);
    await passwordStep(page, user.email, password, "phr-key-app-password");
    const claims = await atApp(page, rp, "phr-key-app-signed-in");
    assert.equal(claims.sub, user.id);
    assert.equal(claims.acr, acrPhishingResistant);
    assert.deepEqual(claims.amr, ["pwd", "hwk", "mfa"]);
    assert.ok(Math.abs((claims.auth_time as number) * 1000 - server.clock.now()) < 15_000, "auth_time is this login");
    assert.ok((await authenticator.credentials())[0]!.signCount >= 1, "the key signed");
    assert.deepEqual(pageErrors, []);
    await page.context().close();
  });

  it("a --require-two-factor app takes a user without 2FA through enrolment and back with amr pwd, otp, mfa", async () => {
    const { user, password } = await seedUser(server.runtime.deps, { email: "una.unenrolled@example.test" });
    const page = await newTab();
    await page.goto(`${strictRp.origin}/start`);
    await passwordStep(page, user.email, password, "strict-password");
    await arrive(page, "/login/enrol", "strict-enrol");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Set up two-factor authentication");
    assert.equal((await page.getByRole("alert").first().locator("strong").textContent())?.trim(), "Classic Reseller Interface requires two-factor authentication.", "the app asks, not the account's policy");
    assert.equal((await page.context().cookies()).some((cookie) => cookie.name === "twostep_session"), false, "no session after the password");
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    const inputs = await arrive(page, /^\/login\/enrol\/totp\/[^/]+$/, "strict-scan");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the app"]);
    const key = ((await page.locator("#totp-key").textContent()) ?? "").replace(/\s/g, "");
    assert.match(key, /^[A-Z2-7]{32}$/);
    await page.getByLabel("Code from the app").fill(phoneCode(key));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).first().waitFor();
    await arrive(page, /^\/login\/enrol\/totp\/[^/]+$/, "strict-recovery-codes");
    assert.equal((await page.locator("#recovery-codes li code").allTextContents()).length, 10);
    await page.getByRole("button", { name: "I have saved my codes" }).click();
    const claims = await atApp(page, strictRp, "strict-app-signed-in");
    assert.equal(claims.sub, user.id, JSON.stringify(claims));
    assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
    assert.equal(claims.acr, acrTwoFactors);
    assert.deepEqual(pageErrors, []);
    await page.context().close();
  });
});
