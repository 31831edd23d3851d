import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { demoUsers, loadDemoData } from "../../src/services/demo.js";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * Every platform page as each demo login sees it, the way a newcomer tries the
 * quick start: the navigation shows only what that user may use (each link
 * answers 200), every page has one heading and labelled fields and fits the
 * window, the queue's empty states are sentences, and an admin without 2FA is
 * told on the policy page to set up their own first, with a link that leads
 * there. Screenshots: test-output/screenshots/tour-NN-*.png.
 */
describe("e2e: the demo users' tour of the platform pages, in Chromium", { skip, timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "tour-");

  before(async () => {
    await shots.reset();
    server = await startTestServer();
    await loadDemoData(server.runtime.deps);
    ({ browser, context } = await openBrowser());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  /** The links each demo user's navigation shows: what the access table lets them use, nothing more. */
  const expectedLinks: Record<string, string[]> = {
    "admin@acme.test": ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys", "/panel/users", "/panel/events", "/panel/policy", "/storefront/customers"],
    "member@acme.test": ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys", "/storefront/customers"],
    "support@twostep.test": ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys", "/support/reset-requests", "/support/events", "/panel/users", "/panel/policy"],
    "customer@globex.test": ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys"],
  };

  async function logIn(email: string): Promise<Page> {
    const who = demoUsers.find((user) => user.email === email)!;
    const page = await (await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" })).newPage();
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(who.email);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security", { timeout: 15_000 });
    return page;
  }

  /** One page: it answers 200, is marked current in the navigation, has one h1 and labelled fields, and nothing spills sideways. */
  async function look(page: Page, path: string, name: string) {
    const response = await page.goto(`${server!.url}${path}`);
    assert.equal(response?.status(), 200, `${name}: ${path}`);
    await shots.take(page, name);
    await checkInputs(page);
    assert.equal(await page.locator("main h1").count(), 1, `${path}: one main heading`);
    assert.equal(await page.locator(`header nav a[aria-current="page"]`).getAttribute("href"), path, `${path}: its link is the current one`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path}: the page is ${overflow}px wider than the window`);
  }

  for (const email of Object.keys(expectedLinks)) {
    it(`${email}: the navigation offers what they may use, and every page of it looks right`, async () => {
      const page = await logIn(email);
      const links = await page.locator("header nav a").evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href")));
      assert.deepEqual(links, expectedLinks[email]);
      assert.equal(await page.locator("header .who").textContent(), email, "who is logged in, beside Log out");
      const short = email.split("@")[0];
      for (const path of links) await look(page, path!, `${short}${path!.replace(/\//g, "-")}`);
      await page.context().close();
    });
  }

  it("the support queue's empty states are sentences", async () => {
    const page = await logIn("support@twostep.test");
    await page.goto(`${server!.url}/support/reset-requests`);
    await page.getByText("No requests are waiting for review.").waitFor();
    await page.getByText("No request has been decided yet.").waitFor();
    await page.context().close();
  });

  it("an admin without 2FA is told on the policy page to set up their own first, and the link leads there", async () => {
    const page = await logIn("admin@acme.test");
    await page.goto(`${server!.url}/panel/policy`);
    const notice = page.getByRole("region", { name: "Set up two-factor authentication for your own account first" });
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? "", /You can change the two-factor policy only while your own account uses two-factor authentication/);
    assert.equal(await page.getByRole("button", { name: "Save this level" }).first().isDisabled(), true, "nothing to save that would be refused");
    await shots.take(page, "admin-policy-needs-own-2fa");
    await notice.getByRole("link", { name: "Set up two-factor authentication" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/two-factor/setup", { timeout: 15_000 });
    await page.getByRole("heading", { name: "Set up two-factor authentication" }).waitFor();
    await shots.take(page, "admin-setup-from-policy");
    await page.context().close();
  });
});
