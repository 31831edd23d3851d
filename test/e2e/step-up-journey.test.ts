import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * "Confirm it's you" in a real browser: log in with the authenticator app, let
 * the step-up window pass (the server's clock is moved, nobody sleeps), try to
 * disable 2FA → the confirm page → a current code → back to the form, which
 * now works. Screenshots: test-output/screenshots/stepup-NN-*.png.
 */
describe("e2e: step-up before disabling 2FA, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "stepup-");
  const pageErrors: string[] = [];

  before(async () => {
    await shots.reset();
    server = await startTestServer();
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

  it("an older session confirms with a code, then disables 2FA", async () => {
    const enrolled = await enrolTotp(server!.runtime.deps);
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const clock = server!.clock;

    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(enrolled.user.email);
    await page.getByLabel("Password").fill(enrolled.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", "second-step");
    clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(enrolled.keyBase32, clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "security");

    clock.advance(11 * 60);
    await page.goto(`${server!.url}/settings/two-factor/disable`);
    await arrive(page, "/settings/two-factor/disable", "disable-form");
    await page.getByLabel("Current password").fill(enrolled.password);
    await page.getByRole("button", { name: "Disable two-factor authentication" }).click();

    const inputs = await arrive(page, "/settings/confirm", "confirm-its-you");
    assert.equal(new URL(page.url()).searchParams.get("next"), "/settings/two-factor/disable");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code"]);
    const main = ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
    assert.match(main, /For your security, confirm it's you before changing two-factor settings or acting on other users\./);
    const field = page.getByLabel("Authentication code");
    assert.equal(await field.getAttribute("autocomplete"), "one-time-code");
    assert.equal(await field.getAttribute("inputmode"), "numeric");

    await field.fill("000000");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.locator("#field-code-error").waitFor({ state: "visible" });
    await shots.take(page, "wrong-code");

    clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(enrolled.keyBase32, clock.now()));
    await page.getByRole("button", { name: "Confirm" }).click();
    await arrive(page, "/settings/two-factor/disable", "back-to-disable");
    await page.getByLabel("Current password").fill(enrolled.password);
    await page.getByRole("button", { name: "Disable two-factor authentication" }).click();
    await arrive(page, "/settings/security", "disabled");
    assert.match(((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " "), /Disabled/);

    // Reached directly, the confirm page works too and keeps a local next only.
    await page.goto(`${server!.url}/settings/confirm?next=${encodeURIComponent("//evil.example/")}`);
    const passwordInputs = await arrive(page, "/settings/confirm", "confirm-without-two-factor");
    assert.deepEqual(passwordInputs.map((input) => input.label), ["Current password"]);
    await page.getByLabel("Current password").fill(enrolled.password);
    await page.getByRole("button", { name: "Confirm" }).click();
    await arrive(page, "/settings/security", "confirmed-with-password");
    assert.deepEqual(pageErrors, []);
  });
});
