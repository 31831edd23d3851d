import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * Issue 8, item 6 in a real browser: a reseller admin with TOTP logs in, opens
 * "Two-factor policy" from the navigation, sees what the platform sets for
 * every customer, sets "required from" a date and TOTP only for its customers,
 * and sees the effective policy. Screenshots: test-output/screenshots/policy-NN-*.png.
 */
describe("e2e: a reseller admin sets its customers' policy, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "policy-");
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

  it("log in with TOTP → Two-factor policy → inherited platform values → date and TOTP only for customers → effective policy", async () => {
    const deps = server!.runtime.deps;
    const admin = await enrolTotp(deps, { kind: "reseller", role: "admin" });
    const reseller = (await deps.store.accounts.findAccountById(admin.user.accountId))!;
    // The platform allows TOTP and SMS to every customer and turns 2FA off after a recovery-code login.
    await deps.store.accounts.savePolicyLayer(
      reseller.parentId!,
      "customer_users",
      { requireTwoFactorFrom: null, allowedMethods: ["totp", "sms"], recoveryCodePolicy: "disable", rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null },
      deps.clock.now(),
    );
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${server!.url}/login`);
    await arrive(page, "/login", "login");
    await page.getByLabel("Email").fill(admin.user.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", "second-step");
    server!.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(admin.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "security");

    await page.getByRole("link", { name: "Two-factor policy" }).first().click();
    const inputs = await arrive(page, "/panel/policy", "policy-page");
    assert.ok(inputs.some((input) => input.name === "customer_users-methods" && input.label === "Allowed methods"));
    const customers = page.locator("section", { has: page.getByRole("heading", { name: "Your customers' users" }) });
    const inherited = ((await customers.locator('[data-summary="above-customer_users"]').textContent()) ?? "").replace(/\s+/g, " ");
    assert.match(inherited, /Authenticator app \(TOTP\) and SMS/);
    assert.match(inherited, /Turn 2FA off after a recovery-code login/);

    await customers.getByLabel("Two-factor required from").fill("2027-03-01");
    await customers.getByLabel("Allowed methods").selectOption("totp");
    await shots.take(page, "policy-filled");
    await customers.getByRole("button", { name: "Save this level" }).click();
    await page.waitForURL((url) => url.pathname === "/panel/policy" && url.searchParams.get("notice") === "policy_saved", { timeout: 15_000 });
    await shots.take(page, "policy-saved");
    await page.getByText("The two-factor policy is saved.").waitFor();
    const effective = ((await page.locator('[data-summary="effective-customer_users"]').textContent()) ?? "").replace(/\s+/g, " ");
    assert.match(effective, /2027-03-01/);
    assert.match(effective, /Authenticator app \(TOTP\) only/);
    assert.match(effective, /Turn 2FA off after a recovery-code login/, "still inherited from the platform");
    const [layer] = await deps.store.accounts.findPolicyLayers([{ accountId: reseller.id, audience: "customer_users" }]);
    assert.deepEqual(layer, { requireTwoFactorFrom: Date.UTC(2027, 2, 1), allowedMethods: ["totp"], recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null });
    assert.deepEqual(pageErrors, []);
  });
});
