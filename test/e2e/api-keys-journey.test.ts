import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * API1 in a real browser: a user with TOTP logs in with the second step,
 * creates an API key (shown once), the test uses it with fetch against the
 * platform API, the user revokes it after a confirmation page, and the key
 * stops working. Screenshots: test-output/screenshots/apikeys-NN-*.png.
 */
describe("e2e: API keys, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "apikeys-");
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

  const platformMe = (key: string) => fetch(`${server!.url}/api/platform/v1/me`, { headers: { authorization: `Bearer ${key}` } });

  it("log in with TOTP → create a key (shown once) → it works on the platform API → revoke → it stops working", async () => {
    const enrolled = await enrolTotp(server!.runtime.deps);
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${server!.url}/login`);
    await arrive(page, "/login", "login");
    await page.getByLabel("Email").fill(enrolled.user.email);
    await page.getByLabel("Password").fill(enrolled.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", "second-step");
    server!.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(enrolled.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "security");

    await page.getByRole("link", { name: "API keys" }).click();
    const inputs = await arrive(page, "/settings/api-keys", "empty-list");
    assert.deepEqual(inputs.map((input) => input.label), ["Name", "Expires in"]);
    await page.getByRole("button", { name: "Create key" }).click();
    await page.locator("#field-name-error").waitFor({ state: "visible" });
    await shots.take(page, "name-missing");
    await page.getByLabel("Name").fill("Billing sync");
    await page.getByLabel("Expires in").selectOption("30");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "Your new API key" }).waitFor();
    await shots.take(page, "shown-once");
    assert.match((await page.locator("main").textContent()) ?? "", /Copy this key now; it will not be shown again/);
    const key = await page.getByLabel("API key").inputValue();
    assert.match(key, /^tsk_/);

    const me = await platformMe(key);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { user: { email: string } }).user.email, enrolled.user.email);

    await page.getByRole("link", { name: "I have copied the key" }).click();
    await arrive(page, "/settings/api-keys", "listed");
    const table = ((await page.locator("#api-keys").textContent()) ?? "").replace(/\s+/g, " ");
    assert.match(table, /Billing sync/);
    assert.ok(!(await page.content()).includes(key), "the key is not shown again");
    await page.getByRole("link", { name: "Revoke Billing sync" }).click();
    await page.getByRole("heading", { name: "Revoke Billing sync?" }).waitFor();
    await shots.take(page, "confirm-revoke");
    await page.getByRole("button", { name: "Revoke key" }).click();
    await arrive(page, "/settings/api-keys", "revoked");
    assert.match((await page.locator("main").textContent()) ?? "", /The API key is revoked/);

    const after = await platformMe(key);
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as { code: string }).code, "invalid_api_key");
    assert.deepEqual(pageErrors, []);
  });
});
