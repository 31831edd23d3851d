import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { generateTotp } from "../../src/domain/otp/totp.js";
import { checkInputs, hasChromium, openBrowser, Screenshots, chromiumPath } from "../helpers/chromium.js";
import { seedUser } from "../helpers/runtime.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { hasOathtool, hasZbarimg, oathtoolTotp, pngFromDataUrl, zbarDecodePng } from "../interop/tools.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : !hasZbarimg ? "zbarimg is not installed (Debian package zbar-tools)" : false;
const outputDir = "test-output";
const recoveryCodeForm = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/;

/**
 * M1, R1, R5, L1–L3, D1 in a real browser against the real server, the way a person
 * does it: keyboard and clicks, the QR code read off the screen by zbarimg (the phone
 * camera), the code computed by oathtool (the authenticator app). Every page visited
 * is screenshot into test-output/screenshots/ and checked for labelled inputs.
 */
describe("e2e: authenticator-app journey in Chromium", { skip, timeout: 100_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots(`${outputDir}/screenshots`, "totp-");

  before(async () => {
    await shots.reset();
    await mkdir(`${outputDir}/e2e`, { recursive: true });
    server = await startTestServer();
    ({ browser, context } = await openBrowser({ acceptDownloads: true }));
  });

  after(async () => {
    // Each step on its own, so a failure in one still closes the rest.
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  it("logs in, enrols by scanning the QR code, saves recovery codes, logs in with a code and a recovery code, disables", { timeout: 90_000 }, async () => {
    const srv = server!;
    const { user, password } = await seedUser(srv.runtime.deps, { kind: "customer", email: "dana.reseller-customer@example.test" });
    const page = await context!.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      // A 4xx page (wrong password, wrong code) is logged as a failed load; those are checked below.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageErrors.push(message.text());
    });
    const failedResponses: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
    });

    const path = () => new URL(page.url()).pathname;
    /** After a navigation: wait for `pathname`, screenshot, check the inputs. */
    const arrive = async (pathname: string | RegExp, name: string) => {
      await page.waitForURL((url) => (typeof pathname === "string" ? url.pathname === pathname : pathname.test(url.pathname)), { timeout: 15_000 });
      await page.waitForLoadState("load");
      await shots.take(page, name);
      return checkInputs(page);
    };
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
    /** The authenticator app: oathtool at the server's time (real time plus the test's offset). */
    const phoneCode = (key: string) => (hasOathtool ? oathtoolTotp(key, srv.clock.now()) : generateTotp(base32nopad.decode(key), srv.clock.now()));
    /** The error sits right below its input, is announced and is tied to it. */
    const assertErrorNextTo = async (inputId: string, message: RegExp) => {
      const error = page.locator(`#${inputId}-error`);
      await error.waitFor({ state: "visible" });
      assert.match((await error.textContent()) ?? "", message);
      assert.equal(await error.getAttribute("role"), "alert");
      const input = page.locator(`#${inputId}`);
      assert.equal(await input.getAttribute("aria-invalid"), "true");
      assert.ok(((await input.getAttribute("aria-describedby")) ?? "").split(" ").includes(`${inputId}-error`));
      const inputBox = (await input.boundingBox())!;
      const errorBox = (await error.boundingBox())!;
      assert.ok(errorBox.y >= inputBox.y + inputBox.height - 1 && errorBox.y - (inputBox.y + inputBox.height) <= 24, "the error is directly below the field");
      assert.ok(Math.abs(errorBox.x - inputBox.x) <= 2, "the error lines up with the field");
    };

    // --- Log in (step 1 only: no 2FA yet). A wrong password first. ---
    await page.goto(`${srv.url}/login`);
    let inputs = await arrive("/login", "login");
    assert.deepEqual(inputs.map((input) => input.label), ["Email", "Password"]);
    assert.equal(await focusedId(), "field-email", "the email field has the focus");
    await page.keyboard.type(user.email);
    await page.keyboard.press("Tab");
    assert.equal(await focusedId(), "field-password");
    await page.keyboard.type("not the password at all");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("#field-password-error").waitFor({ state: "visible" });
    await arrive("/login", "login-wrong-password");
    await assertErrorNextTo("field-password", /Incorrect email or password/);
    assert.equal(await page.getByLabel("Email").inputValue(), user.email, "the email is kept");
    assert.equal(await focusedId(), "field-password", "the focus is on the field to correct");

    await page.keyboard.type(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive("/settings/security", "security-2fa-disabled");
    await page.getByRole("link", { name: "Security", exact: true }).click();
    await arrive("/settings/security", "security-via-nav");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Disabled");

    // --- Set up: password, scan, code. ---
    await page.getByRole("link", { name: "Set up two-factor authentication" }).click();
    inputs = await arrive("/settings/two-factor/setup", "setup-1-password");
    assert.deepEqual(inputs.map((input) => input.label), ["Password"]);
    assert.equal(await focusedId(), "field-password");
    await page.keyboard.type(password);
    await page.getByRole("button", { name: "Next" }).click();
    inputs = await arrive(/^\/settings\/two-factor\/setup\/[^/]+$/, "setup-2-scan");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the app"]);

    // "Scan with the phone": zbarimg reads the QR code as the screen shows it.
    const qr = page.locator("img#qr-code");
    assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), "the QR image loaded");
    assert.deepEqual(
      await qr.evaluate((img: HTMLImageElement) => [img.width, img.height, img.naturalWidth, img.naturalHeight]),
      await qr.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight, img.naturalWidth, img.naturalHeight]),
      "the QR code is shown at its own size, so every module stays a crisp square",
    );
    const scanned = await zbarDecodePng(await qr.screenshot({ timeout: 10_000 }), `${outputDir}/e2e/qr-as-seen-on-screen.png`);
    const fromSrc = await zbarDecodePng(pngFromDataUrl((await qr.getAttribute("src"))!));
    assert.equal(scanned, fromSrc, "the QR on screen and the image's source hold the same text");
    const uri = new URL(scanned);
    assert.equal(uri.protocol, "otpauth:");
    assert.equal(uri.host, "totp");
    assert.equal(decodeURIComponent(uri.pathname.slice(1)), `twostep:${user.email}`);
    assert.equal(uri.searchParams.get("issuer"), "twostep");
    const key = uri.searchParams.get("secret")!;
    assert.match(key, /^[A-Z2-7]{32}$/);
    assert.equal(((await page.locator("#totp-key").textContent()) ?? "").replace(/\s/g, ""), key, "the key shown as text is the one in the QR code");
    await page.getByText("Show the setup link").click();
    assert.equal(await page.locator("#totp-uri").textContent(), scanned);

    // A wrong code first: the error is shown next to the field and the user can retry.
    const enrolWrong = wrongCode(key, srv.clock.now());
    await page.getByLabel("Code from the app").fill(enrolWrong);
    await page.getByRole("button", { name: "Enable" }).click();
    await page.locator("#field-code-error").waitFor({ state: "visible" });
    await arrive(/^\/settings\/two-factor\/setup\/[^/]+$/, "setup-2-scan-wrong-code");
    await assertErrorNextTo("field-code", /didn't work.*next code.*clock/);
    assert.equal(await page.locator("img#qr-code").count(), 1, "the QR code is still there to scan");

    await page.getByLabel("Code from the app").fill(phoneCode(key));
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).waitFor();
    await arrive(/^\/settings\/two-factor\/setup\/[^/]+$/, "setup-3-recovery-codes");
    const codes = await page.locator("#recovery-codes li code").allTextContents();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10, "all different");
    for (const code of codes) assert.match(code, recoveryCodeForm);

    // Download (.txt) holds the same 10 codes.
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 10_000 }), page.getByRole("link", { name: "Download (.txt)" }).click()]);
    assert.equal(download.suggestedFilename(), "twostep-recovery-codes.txt");
    const downloaded = await readFile((await download.path())!, "utf8");
    assert.match(downloaded, new RegExp(`recovery codes for ${user.email.replace(/\./g, "\\.")}`));
    assert.deepEqual(
      downloaded.split("\n").filter((line) => recoveryCodeForm.test(line)),
      codes,
    );
    assert.equal(path().startsWith("/settings/two-factor/setup/"), true, "downloading does not leave the page");

    await page.getByRole("link", { name: "I have saved my codes" }).click();
    await arrive("/settings/security", "security-2fa-enabled");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Enabled");
    assert.match((await page.locator("main").textContent()) ?? "", /10 of 10 recovery codes unused/);
    assert.match((await page.locator("table.methods").textContent()) ?? "", /Authenticator app/);

    await page.getByRole("button", { name: "Log out" }).click();
    await arrive("/login", "logged-out");
    assert.equal(await page.getByRole("status").textContent(), "You have logged out.");

    // --- Log in with a code from the app, 30 s later (so a later time step than the one that enrolled). ---
    srv.clock.advance(30);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(password);
    await page.keyboard.press("Enter");
    inputs = await arrive("/login/two-factor", "login-2-code");
    // A storefront customer's policy offers to remember the browser (L7); left unticked here, so every login asks.
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code", "Don't ask again on this browser for 30 days"]);
    assert.equal(await focusedId(), "field-code");

    await page.keyboard.type(wrongCode(key, srv.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#field-code-error").waitFor({ state: "visible" });
    await arrive("/login/two-factor", "login-2-code-wrong");
    await assertErrorNextTo("field-code", /didn't work.*next code.*clock/);

    await page.getByLabel("Authentication code").fill(phoneCode(key));
    await page.keyboard.press("Enter");
    await arrive("/settings/security", "security-after-code-login");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Enabled");
    assert.doesNotMatch((await page.locator("main").textContent()) ?? "", /You logged in with a recovery code/);

    await page.getByRole("button", { name: "Log out" }).click();
    await arrive("/login", "logged-out-again");

    // --- Log in with a recovery code. ---
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive("/login/two-factor", "login-2-before-recovery");
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    inputs = await arrive("/login/recovery", "login-2-recovery-code");
    assert.deepEqual(inputs.map((input) => input.label), ["Recovery code"]);
    await page.keyboard.type(codes[3]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive("/settings/security", "security-after-recovery-login");
    const recommendation = page.getByRole("alert").filter({ hasText: "You logged in with a recovery code" });
    await recommendation.waitFor({ state: "visible" });
    assert.match((await recommendation.textContent()) ?? "", /reset two-factor authentication/);
    assert.match((await page.locator("main").textContent()) ?? "", /9 of 10 recovery codes unused/);

    // --- Disable with the password. ---
    await page.getByRole("link", { name: "Disable two-factor authentication" }).click();
    inputs = await arrive("/settings/two-factor/disable", "disable");
    assert.deepEqual(inputs.map((input) => input.label), ["Current password"]);
    await page.getByLabel("Current password").fill(password);
    await page.getByRole("button", { name: "Disable two-factor authentication" }).click();
    await arrive("/settings/security", "security-2fa-disabled-again");
    assert.equal(await page.getByRole("status").textContent(), "Two-factor authentication is disabled.");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Disabled");
    assert.equal(await page.getByRole("link", { name: "Set up two-factor authentication" }).count(), 1);

    assert.deepEqual(pageErrors, [], "no script or console errors (CSP included)");
    assert.deepEqual(
      failedResponses.filter((line) => !line.startsWith("GET /favicon.ico ")).map((line) => line.replace(/setup\/[^/ ]+/, "setup/:id")),
      ["POST /login 401", "POST /settings/two-factor/setup/:id 401", "POST /login/two-factor 401"],
      "the only failed requests are the three wrong attempts",
    );
    assert.deepEqual(srv.logLines.filter((line) => /"level":(50|60)/.test(line)), [], "the server logged no errors");
    await page.close();
  });
});

/** A well-formed code that matches no step near `now` (so it fails as "wrong", not as replay or format). */
function wrongCode(key: string, now: number): string {
  const bytes = base32nopad.decode(key);
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => generateTotp(bytes, now + offset * 30_000)));
  for (let candidate = 123456; ; candidate = (candidate + 111111) % 1_000_000) {
    const code = String(candidate).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}
