import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { seedReseller } from "../helpers/storefront.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * A3 in a real browser: a customer has TOTP on; the reseller admin (TOTP on)
 * opens Storefront manager → Customers → the customer's record (Enabled) →
 * Disable → confirms on the confirmation page → the notice; the record shows
 * Disabled and no Disable button; the customer logs in with the password
 * alone and was emailed. Screenshots: test-output/screenshots/storefront-NN-*.png.
 */
describe("e2e: the storefront manager disables a customer's 2FA, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "storefront-");

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

  it("Customers → record (Enabled) → Disable → confirm → notice; then Disabled, and the customer's password alone works", async () => {
    const deps = server!.runtime.deps;
    const acme = await seedReseller(deps, "Acme");
    const page = await context!.newPage();

    server!.clock.advance(30);
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(acme.admin.user.email);
    await page.getByLabel("Password").fill(acme.admin.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", "admin-second-step");
    await page.getByLabel("Authentication code").fill(codeFor(acme.admin.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "admin-logged-in");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
    const listInputs = await arrive(page, "/storefront/customers", "customers");
    assert.deepEqual(listInputs.map((input) => input.label), ["Search customers by name"]);
    const row = page.getByRole("row", { name: new RegExp(acme.customer.name) });
    assert.match((await row.textContent()) ?? "", /2\s*1 of 2/);
    await row.getByRole("link", { name: acme.customer.name }).click();
    await arrive(page, `/storefront/customers/${acme.customer.id}`, "record-enabled");
    const buyer = page.getByRole("article", { name: "Acme Buyer" });
    assert.match((await buyer.textContent()) ?? "", /Two-Factor Authentication\s*Enabled/);
    assert.equal(await page.getByRole("article", { name: "Acme Shopper" }).getByRole("link", { name: /Disable/ }).count(), 0, "no Disable button when off");

    await buyer.getByRole("link", { name: /Disable/ }).click();
    await arrive(page, `/storefront/customers/${acme.customer.id}/users/${acme.enrolled.user.id}/disable`, "confirm");
    await page.getByRole("heading", { name: "Disable two-factor authentication for Acme Buyer?" }).waitFor();
    await page.getByRole("button", { name: "Disable" }).click();
    await arrive(page, `/storefront/customers/${acme.customer.id}`, "disabled-notice");
    assert.equal(((await page.getByRole("status").textContent()) ?? "").trim(), "Two-factor authentication has been disabled for Acme Buyer.");
    assert.match((await page.getByRole("article", { name: "Acme Buyer" }).textContent()) ?? "", /Two-Factor Authentication\s*Disabled/);
    assert.equal(await page.getByRole("link", { name: /Disable/ }).count(), 0, "no Disable button any more");

    // The customer: the password alone signs in now.
    const customerContext = await browser!.newContext();
    const customerPage = await customerContext.newPage();
    await customerPage.goto(`${server!.url}/login`);
    await customerPage.getByLabel("Email").fill(acme.enrolled.user.email);
    await customerPage.getByLabel("Password").fill(acme.enrolled.password);
    await customerPage.getByRole("button", { name: "Log in" }).click();
    await customerPage.waitForURL((url) => url.pathname === "/settings/security", { timeout: 15_000 });
    await shots.take(customerPage, "customer-password-alone");
    await customerContext.close();

    const told = (await deps.store.messages.listMessages(1000)).filter((message) => message.recipient === acme.enrolled.user.email && message.kind === "two_factor_disabled");
    assert.equal(told.length, 1, "the customer got the email");
    assert.match(told[0]!.textBody, /by your provider/);
  });
});
