import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * L7 "Remember this browser" in a real browser: a storefront customer logs in
 * with the authenticator app and ticks "Don't ask again on this browser for 30
 * days"; after logging out, the password alone logs this browser in; a second
 * browser (a new context, no cookies) still gets the second step; the
 * security page lists the browser, and "Forget" brings the second step back.
 * Screenshots: test-output/screenshots/remember-NN-*.png.
 */
describe("e2e: remember this browser, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "remember-");
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
  const passwordStep = async (page: Page, email: string, password: string) => {
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  };
  const mainText = async (page: Page) => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  it("a trusted browser skips the second step; another browser does not", async () => {
    const enrolled = await enrolTotp(server!.runtime.deps, { kind: "customer" });
    const clock = server!.clock;
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await passwordStep(page, enrolled.user.email, enrolled.password);
    const inputs = await arrive(page, "/login/two-factor", "second-step-with-box");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code", "Don't ask again on this browser for 30 days"]);
    clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(enrolled.keyBase32, clock.now()));
    await page.getByLabel("Don't ask again on this browser for 30 days").check();
    await shots.take(page, "box-ticked");
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "security-with-browser");
    const cookie = (await context!.cookies()).find((candidate) => candidate.name === "twostep_trusted_browser");
    assert.ok(cookie, "the browser holds the cookie");
    assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, "Lax", "/"]);
    assert.equal(await page.evaluate(() => document.cookie.includes("twostep_trusted_browser")), false, "no script can read it");
    assert.match(await mainText(page), /Remembered browsers .*Chrome on Linux/);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await passwordStep(page, enrolled.user.email, enrolled.password);
    await arrive(page, "/settings/security", "skipped-second-step");

    const other = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
    try {
      const otherPage = await other.newPage();
      await passwordStep(otherPage, enrolled.user.email, enrolled.password);
      await arrive(otherPage, "/login/two-factor", "other-browser-second-step");
    } finally {
      await other.close();
    }

    await page.getByRole("button", { name: "Forget Chrome on Linux" }).click();
    await arrive(page, "/settings/security", "forgotten");
    assert.match(await mainText(page), /The browser is forgotten/);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await passwordStep(page, enrolled.user.email, enrolled.password);
    await arrive(page, "/login/two-factor", "second-step-again");
    assert.deepEqual(pageErrors, []);
  });
});
