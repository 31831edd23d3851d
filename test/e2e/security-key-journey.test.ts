import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { seedUser } from "../helpers/runtime.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { addVirtualAuthenticator, type VirtualAuthenticator } from "../helpers/virtual-authenticator.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * Issue 9's journey with the product itself, in Debian's Chromium with its
 * virtual authenticator (the DevTools protocol's WebAuthn domain): a reseller
 * user adds a security key from the security page (password → name → the
 * browser's prompt), it is listed; they log out and log in with it (the second
 * step starts the key at once, it being the default); a browser whose
 * authenticator lacks the key cannot pass; the key is removed and the
 * password alone logs in again. The site is http://localhost:<port>
 * (TWOSTEP_PUBLIC_URL): an RP ID cannot be an IP address.
 * Screenshots: test-output/screenshots/key-NN-*.png.
 */
describe("e2e: a security key added, used to log in and removed, in Chromium", { skip, timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let origin: string;
  const shots = new Screenshots("test-output/screenshots", "key-");
  const pageErrors: string[] = [];

  before(async () => {
    await shots.reset();
    server = await startTestServer();
    origin = server.url.replace("127.0.0.1", "localhost");
    server.runtime.deps.config.publicUrl = origin;
    ({ browser, context } = await openBrowser());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  const arrive = async (page: Page, pathname: string, name: string) => {
    await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
    await page.waitForLoadState("load");
    await shots.take(page, name);
    return checkInputs(page);
  };
  const passwordStep = async (page: Page, email: string, password: string) => {
    await page.goto(`${origin}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  };
  const mainText = async (page: Page) => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  it("adds a key, logs in with it, refuses a browser without it, and removes it", async () => {
    const { user, password } = await seedUser(server!.runtime.deps, { kind: "reseller" });
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const authenticator: VirtualAuthenticator = await addVirtualAuthenticator(context!, page);

    await passwordStep(page, user.email, password);
    await arrive(page, "/settings/security", "security-before");
    await page.getByRole("link", { name: "Add a security key or passkey" }).click();
    const passwordInputs = await arrive(page, "/settings/security-keys/new", "confirm-password");
    assert.deepEqual(passwordInputs.map((input) => input.label), ["Password"]);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Name of the key").waitFor();
    await shots.take(page, "name-and-prompt");
    await page.getByLabel("Name of the key").fill("YubiKey on my keyring");
    await page.getByRole("button", { name: "Add security key or passkey" }).click();
    // The first method: recovery codes are shown once.
    await page.waitForURL((url) => url.pathname === "/settings/security-keys");
    await page.waitForLoadState("load");
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).first().waitFor({ timeout: 15_000 }).catch(async (error) => assert.fail(`${error}: ${await mainText(page)}`));
    await shots.take(page, "recovery-codes");
    assert.equal((await authenticator.credentials()).length, 1, "the authenticator made one credential");
    await page.goto(`${origin}/settings/security`);
    await arrive(page, "/settings/security", "security-with-key");
    const listed = await mainText(page);
    assert.match(listed, /YubiKey on my keyring/);
    assert.match(listed, /Security key or passkey/);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await passwordStep(page, user.email, password);
    // The second step starts the key at once (it is the default); the virtual authenticator answers.
    await arrive(page, "/settings/security", "logged-in-with-key");
    const counters = await authenticator.credentials();
    assert.ok(counters[0]!.signCount >= 1, "the key signed");

    // A browser whose authenticator lacks the key stays on the second step.
    const other = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
    try {
      const otherPage = await other.newPage();
      await addVirtualAuthenticator(other, otherPage);
      await passwordStep(otherPage, user.email, password);
      await otherPage.waitForURL((url) => url.pathname === "/login/two-factor");
      const status = otherPage.locator("#webauthn-status");
      await status.filter({ hasText: "did not answer" }).waitFor({ timeout: 20_000 });
      await shots.take(otherPage, "other-browser-refused");
      assert.equal(new URL(otherPage.url()).pathname, "/login/two-factor", "no session for a browser without the key");
      assert.equal((await other.cookies()).some((cookie) => cookie.name === "twostep_session"), false);
    } finally {
      await other.close();
    }

    // Outside the step-up window (the server's clock moves; nobody sleeps) removing the key asks "Confirm it's you", which the key itself answers.
    server!.clock.advance(11 * 60);
    await page.goto(`${origin}/settings/security`);
    const visited: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
    });
    await page.getByRole("link", { name: "Delete" }).click();
    await page.waitForURL((url) => /^\/settings\/methods\/[^/]+\/delete$/.test(url.pathname), { timeout: 15_000 });
    await arrive(page, `/settings/methods/${await keyMethodId(page)}/delete`, "remove-key");
    assert.ok(visited.includes("/settings/confirm"), `went through Confirm it's you: ${visited.join(" → ")}`);
    assert.ok((await authenticator.credentials())[0]!.signCount >= 2, "the key signed again to confirm it's you");
    await page.getByRole("button", { name: "Delete method" }).click();
    await arrive(page, "/settings/security", "key-removed");
    assert.doesNotMatch(await mainText(page), /YubiKey on my keyring/);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await passwordStep(page, user.email, password);
    await arrive(page, "/settings/security", "password-alone-again");
    assert.deepEqual(pageErrors, []);
  });

  it("at another address of the same server (127.0.0.1, not the public localhost) the key page says where keys work", async () => {
    const { user, password } = await seedUser(server!.runtime.deps, { kind: "reseller" });
    const elsewhere = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
    try {
      const page = await elsewhere.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await addVirtualAuthenticator(elsewhere, page);
      const ip = server!.url;
      assert.match(ip, /127\.0\.0\.1/);
      await page.goto(`${ip}/login`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL((url) => url.pathname === "/settings/security");
      await page.goto(`${ip}/settings/security-keys/new`);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Next" }).click();
      const status = page.locator("#webauthn-status");
      await status.filter({ hasText: "work only at localhost" }).waitFor({ timeout: 15_000 });
      assert.match((await status.textContent()) ?? "", new RegExp(`Open this site at http://localhost:${new URL(origin).port}`));
      await shots.take(page, "other-address");
      assert.equal(await page.getByRole("button", { name: "Add security key or passkey" }).isVisible(), false, "no prompt that can only fail");
    } finally {
      await elsewhere.close();
    }
  });

  it("a policy that requires security keys only: the login goes to adding a key, then recovery codes, then the account", async () => {
    const day = 24 * 60 * 60 * 1000;
    const deps = server!.runtime.deps;
    const { user, password } = await seedUser(deps, { policy: { requireTwoFactorFrom: server!.clock.now() - day, allowedMethods: ["webauthn"] } });
    const fresh = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
    try {
      const page = await fresh.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
      const authenticator = await addVirtualAuthenticator(fresh, page);
      await passwordStep(page, user.email, password);
      await arrive(page, "/login/enrol", "required-keys-only");
      assert.match(await mainText(page), /You will need a security key \(such as a YubiKey\) or a passkey on your phone or computer\./);
      await page.getByRole("link", { name: "Add a security key or passkey" }).click();
      const inputs = await arrive(page, "/login/enrol/security-key", "required-name-and-prompt");
      assert.deepEqual(inputs.map((input) => input.label), ["Name of the key"]);
      await page.getByLabel("Name of the key").fill("Laptop passkey");
      await page.getByRole("button", { name: "Add security key or passkey" }).click();
      await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).first().waitFor({ timeout: 15_000 }).catch(async (error) => assert.fail(`${error}: ${await mainText(page)}`));
      await shots.take(page, "required-recovery-codes");
      await page.getByRole("button", { name: "I have saved my codes" }).click();
      await arrive(page, "/settings/security", "required-done");
      assert.match(await mainText(page), /Laptop passkey/);
      assert.equal((await authenticator.credentials()).length, 1);
      assert.deepEqual(pageErrors, []);
    } finally {
      await fresh.close();
    }
  });
});

async function keyMethodId(page: Page): Promise<string> {
  return new URL(page.url()).pathname.split("/")[3]!;
}
