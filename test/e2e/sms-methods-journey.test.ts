import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { generateTotp } from "../../src/domain/otp/totp.js";
import { checkInputs, hasChromium, openBrowser, Screenshots, chromiumPath } from "../helpers/chromium.js";
import { seedUser } from "../helpers/runtime.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { hasOathtool, hasZbarimg, oathtoolTotp, zbarDecodePng } from "../interop/tools.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : !hasZbarimg ? "zbarimg is not installed (Debian package zbar-tools)" : false;
const outputDir = "test-output";
const recoveryCodeForm = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/;
/** A literal string as a regular expression (the masked numbers start with "+"). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const firstNumber = "+447400123456";
const firstMasked = "+44 •••••••456";
const secondNumber = "+447400654321";
const secondMasked = "+44 •••••••321";

/**
 * M2 and M4 in a real browser against the real server, as a reseller user does it
 * with keyboard and clicks: SMS codes set up first (the text read off /dev/outbox in
 * a second tab, the phone), an authenticator app added (QR read by zbarimg, codes by
 * oathtool), the default switched both ways, the second step on SMS and on the app,
 * a method renamed, the SMS method reset to a new number, the app deleted. Every page
 * visited is screenshot into test-output/screenshots/sms-NN-*.png and its inputs checked.
 */
describe("e2e: SMS codes and method management in Chromium", { skip, timeout: 100_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots(`${outputDir}/screenshots`, "sms-");

  before(async () => {
    await shots.reset();
    await mkdir(`${outputDir}/e2e`, { recursive: true });
    server = await startTestServer();
    ({ browser, context } = await openBrowser());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  it("sets up SMS, adds an app, switches defaults, logs in with each, renames, resets SMS to a new number, deletes the app", { timeout: 90_000 }, async () => {
    const srv = server!;
    // Reseller accounts may use SMS (storefront customers may not).
    const { user, password } = await seedUser(srv.runtime.deps, { kind: "reseller", email: "rita.reseller@example.test" });

    const pageErrors: string[] = [];
    const failedResponses: string[] = [];
    const watch = (tab: Page) => {
      tab.on("pageerror", (error) => pageErrors.push(error.message));
      tab.on("console", (message) => {
        // A 4xx page is logged as a failed load; those are checked below.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageErrors.push(message.text());
      });
      tab.on("response", (response) => {
        if (response.status() >= 400) failedResponses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
      });
      return tab;
    };
    const page = watch(await context!.newPage());
    /** The "phone": a second tab on /dev/outbox. */
    const phone = watch(await context!.newPage());

    /** After a navigation on `tab`: wait for `pathname`, screenshot, check the inputs. */
    const arriveOn = async (tab: Page, pathname: string | RegExp, name: string) => {
      await tab.waitForURL((url) => (typeof pathname === "string" ? url.pathname === pathname : pathname.test(url.pathname)), { timeout: 15_000 });
      await tab.waitForLoadState("load");
      await shots.take(tab, name);
      return checkInputs(tab);
    };
    const arrive = (pathname: string | RegExp, name: string) => arriveOn(page, pathname, name);
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
    const mainText = async () => (await page.locator("main").textContent()) ?? "";
    const notice = async () => (await page.locator("main .notice[role=status]").textContent())?.trim();
    const appCode = (key: string) => (hasOathtool ? oathtoolTotp(key, srv.clock.now()) : generateTotp(base32nopad.decode(key), srv.clock.now()));
    /** The row of the methods table whose first cell holds `name`. */
    const methodRow = (name: string): Locator => page.locator("table.methods tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });
    const defaultRowName = async () => {
      const rows = page.locator("table.methods tbody tr").filter({ has: page.locator(".badge", { hasText: "Default" }) });
      assert.equal(await rows.count(), 1, "exactly one method is the default");
      return ((await rows.locator("td").first().textContent()) ?? "").trim();
    };

    const textsSeen = new Set<string>();
    /**
     * Looks at the phone: opens /dev/outbox in the other tab, expects exactly one text
     * not seen before, to `to`, and returns its code from the last line, `@host #code`.
     */
    const readText = async (to: string, name: string): Promise<string> => {
      await phone.bringToFront();
      await phone.goto(`${srv.url}/dev/outbox`);
      await arriveOn(phone, "/dev/outbox", name);
      const rows = await phone.locator("table.outbox tbody tr").evaluateAll((trs) =>
        trs.map((tr) => ({ cells: [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? ""), body: tr.querySelector("pre.message")?.textContent ?? "" })),
      );
      const fresh = rows.filter((row) => !textsSeen.has(row.cells.join("|")));
      assert.equal(fresh.length, 1, "one new text message");
      textsSeen.add(fresh[0]!.cells.join("|"));
      const { cells, body } = fresh[0]!;
      assert.equal(cells[1], to);
      const bound = /^@localhost #(\d{6})$/.exec(body.trim().split("\n").at(-1)!);
      assert.ok(bound, `the text ends with the origin-bound line: ${JSON.stringify(body)}`);
      assert.ok(body.startsWith(`${bound[1]} is your twostep verification code.`), body);
      await page.bringToFront();
      return bound[1]!;
    };
    const assertCodeField = async (label: string) => {
      const input = page.getByLabel(label, { exact: true });
      assert.equal(await input.getAttribute("autocomplete"), "one-time-code");
      assert.equal(await input.getAttribute("inputmode"), "numeric");
    };

    // --- Log in (no 2FA yet). ---
    await page.goto(`${srv.url}/login`);
    let inputs = await arrive("/login", "login");
    assert.deepEqual(inputs.map((input) => input.label), ["Email", "Password"]);
    assert.equal(await focusedId(), "field-email");
    await page.keyboard.type(user.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await arrive("/settings/security", "security-2fa-disabled");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Disabled");

    // --- Set up SMS codes: password + number → code from the text → recovery codes. ---
    await page.getByRole("link", { name: "Use SMS codes instead" }).click();
    inputs = await arrive("/settings/two-factor/sms", "setup-sms-1-number");
    assert.deepEqual(inputs.map((input) => input.label), ["Password", "Mobile number"]);
    assert.equal(inputs[1]!.type, "tel");
    assert.equal(inputs[1]!.autocomplete, "tel");
    assert.equal(await focusedId(), "field-password");
    await page.keyboard.type(password);
    await page.keyboard.press("Tab");
    assert.equal(await focusedId(), "field-phoneNumber");
    await page.keyboard.type(firstNumber);
    await page.getByRole("button", { name: "Next" }).click();
    inputs = await arrive(/^\/settings\/two-factor\/sms\/[^/]+$/, "setup-sms-2-code");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the text message"]);
    await assertCodeField("Code from the text message");
    assert.match(await mainText(), new RegExp(`sent a text message with a 6-digit code to ${literal(firstMasked)}`));
    assert.equal(await focusedId(), "field-code");

    let smsCode = await readText(firstNumber, "outbox-enrol-code");
    await page.getByLabel("Code from the text message").fill(smsCode);
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).waitFor();
    await arrive(/^\/settings\/two-factor\/sms\/[^/]+$/, "setup-sms-3-recovery-codes");
    const recoveryCodes = await page.locator("#recovery-codes li code").allTextContents();
    assert.equal(recoveryCodes.length, 10);
    for (const code of recoveryCodes) assert.match(code, recoveryCodeForm);
    await page.getByRole("link", { name: "I have saved my codes" }).click();
    await arrive("/settings/security", "security-sms-enabled");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Enabled");
    assert.match(await methodRow("Mobile phone").textContent() ?? "", new RegExp(`${literal(firstMasked)}.*SMS`, "s"));
    assert.equal(await defaultRowName(), `Mobile phone${firstMasked}`);
    assert.match(await mainText(), /10 of 10 recovery codes unused/);

    // --- Add an authenticator app: it becomes the default. ---
    await page.getByRole("link", { name: "Add an authenticator app" }).click();
    inputs = await arrive("/settings/two-factor/setup", "add-app-1-password");
    assert.deepEqual(inputs.map((input) => input.label), ["Password"]);
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    inputs = await arrive(/^\/settings\/two-factor\/setup\/[^/]+$/, "add-app-2-scan");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the app"]);
    await assertCodeField("Code from the app");
    const scanned = new URL(await zbarDecodePng(await page.locator("img#qr-code").screenshot({ timeout: 10_000 }), `${outputDir}/e2e/sms-journey-qr.png`));
    const key = scanned.searchParams.get("secret")!;
    assert.match(key, /^[A-Z2-7]{32}$/);
    assert.equal(((await page.locator("#totp-key").textContent()) ?? "").replace(/\s/g, ""), key, "the key shown as text is the one in the QR code");
    await page.getByLabel("Code from the app").fill(appCode(key));
    await page.getByRole("button", { name: "Enable" }).click();
    await arrive("/settings/security", "security-app-added");
    assert.equal(await notice(), "The method is added and is now your default.");
    assert.equal(await page.locator("table.methods tbody tr").count(), 2);
    assert.equal(await defaultRowName(), "Authenticator app");
    assert.match(await mainText(), /10 of 10 recovery codes unused/, "adding a second method keeps the recovery codes");
    assert.deepEqual(await page.getByRole("link", { name: /^Add / }).allTextContents(), ["Add a security key or passkey"], "app and SMS are set up: only keys, of which a user may have several, are left to add");

    // --- Make SMS the default. ---
    await methodRow("Mobile phone").getByRole("button", { name: "Make default" }).click();
    await arrive("/settings/security", "security-sms-default");
    assert.equal(await notice(), "Your default method is changed.");
    assert.equal(await defaultRowName(), `Mobile phone${firstMasked}`);
    assert.equal(await methodRow("Mobile phone").getByRole("button", { name: "Make default" }).count(), 0);
    assert.equal(await methodRow("Authenticator app").getByRole("button", { name: "Make default" }).count(), 1);

    await page.getByRole("button", { name: "Log out" }).click();
    await arrive("/login", "logged-out");

    // --- Log in: the second step opens on SMS, and the code was texted on arrival. ---
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    inputs = await arrive("/login/two-factor", "login-2-sms");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code"]);
    await assertCodeField("Authentication code");
    assert.equal(await focusedId(), "field-code");
    assert.match(await mainText(), new RegExp(`We sent a text message with a 6-digit code to ${literal(firstMasked)}`));
    assert.equal(await page.getByRole("button", { name: "Send a new code" }).count(), 1);
    assert.equal(await page.getByRole("button", { name: "Use Authenticator app" }).count(), 1);
    smsCode = await readText(firstNumber, "outbox-login-code");
    await page.getByLabel("Authentication code").fill(smsCode);
    await page.keyboard.press("Enter");
    await arrive("/settings/security", "security-after-sms-login");
    await page.getByRole("button", { name: "Log out" }).click();
    await arrive("/login", "logged-out-again");

    // --- Log in again, switch to the app ("Use … instead"), log in with an app code 30 s later. ---
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(password);
    await page.keyboard.press("Enter");
    await arrive("/login/two-factor", "login-2-sms-again");
    await readText(firstNumber, "outbox-login-code-unused");
    await page.getByRole("button", { name: "Use Authenticator app" }).click();
    inputs = await arrive("/login/two-factor", "login-2-switched-to-app");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code"]);
    await assertCodeField("Authentication code");
    assert.match(await mainText(), /Open your authenticator app and enter the 6-digit code/);
    assert.equal(await page.getByRole("button", { name: "Send a new code" }).count(), 0, "nothing to resend for an app");
    assert.equal(await page.getByRole("button", { name: `Text a code to ${firstMasked}` }).count(), 1, "SMS is offered back");
    srv.clock.advance(30);
    await page.getByLabel("Authentication code").fill(appCode(key));
    await page.keyboard.press("Enter");
    await arrive("/settings/security", "security-after-app-login");

    // --- Make the app the default again. ---
    await methodRow("Authenticator app").getByRole("button", { name: "Make default" }).click();
    await arrive("/settings/security", "security-app-default");
    assert.equal(await notice(), "Your default method is changed.");
    assert.equal(await defaultRowName(), "Authenticator app");

    // --- Rename the SMS method (an empty name first). ---
    await methodRow("Mobile phone").getByRole("link", { name: "Rename" }).click();
    inputs = await arrive(/^\/settings\/methods\/[^/]+\/rename$/, "rename");
    assert.deepEqual(inputs.map((input) => input.label), ["Name"]);
    assert.equal(await page.getByLabel("Name").inputValue(), "Mobile phone");
    assert.equal(await focusedId(), "field-name");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.press("Enter");
    await page.locator("#field-name-error").waitFor({ state: "visible" });
    await arrive(/^\/settings\/methods\/[^/]+\/rename$/, "rename-empty");
    assert.equal(await page.getByLabel("Name").inputValue(), "", "what was typed is kept, not the old name");
    await page.getByLabel("Name").fill("Work phone");
    await page.getByRole("button", { name: "Save" }).click();
    await arrive("/settings/security", "security-renamed");
    assert.equal(await notice(), "The method is renamed.");
    assert.equal(await methodRow("Mobile phone").count(), 0);
    assert.match((await methodRow("Work phone").textContent()) ?? "", new RegExp(literal(firstMasked)));

    // --- Reset the SMS method to a new number: a code to the old one, then the new one confirmed. ---
    await methodRow("Work phone").getByRole("link", { name: "Reset" }).click();
    inputs = await arrive(/^\/settings\/methods\/[^/]+\/reset$/, "reset-sms");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code", "New mobile number"]);
    await assertCodeField("Authentication code");
    assert.match(await mainText(), new RegExp(`First text yourself a code at ${literal(firstMasked)}`));
    await page.getByRole("button", { name: "Text me a code" }).click();
    await arrive(/^\/settings\/methods\/[^/]+\/reset$/, "reset-sms-code-sent");
    assert.equal(new URL(page.url()).searchParams.get("notice"), "code_sent");
    assert.match(await mainText(), /We sent a new code/);
    smsCode = await readText(firstNumber, "outbox-reset-code");
    await page.getByLabel("Authentication code").fill(smsCode);
    await page.getByLabel("New mobile number").fill(secondNumber);
    await page.getByRole("button", { name: "Continue" }).click();
    inputs = await arrive(/^\/settings\/two-factor\/sms\/[^/]+$/, "reset-sms-confirm-new-number");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the text message"]);
    assert.equal(await page.locator("h1").textContent(), "Confirm your new number");
    assert.equal(await page.locator(".step").count(), 0, "a reset has no recovery-codes step to count towards");
    assert.match(await mainText(), new RegExp(`to ${literal(secondMasked)}\\. Your current number keeps working`));
    smsCode = await readText(secondNumber, "outbox-new-number-code");
    await page.getByLabel("Code from the text message").fill(smsCode);
    await page.getByRole("button", { name: "Confirm" }).click();
    await arrive("/settings/security", "security-sms-reset");
    assert.equal(await notice(), "The method is reset: only the new one works now.");
    assert.equal(await page.locator("table.methods tbody tr").count(), 2);
    const table = (await page.locator("table.methods").textContent()) ?? "";
    assert.ok(table.includes(secondMasked), "the new masked number is shown");
    assert.ok(!table.includes(firstMasked), "the old number is gone");
    // Confirming a reset is an enrolment: the newest method becomes the default (M3), under the default name.
    assert.match(await defaultRowName(), new RegExp(`${literal(secondMasked)}$`), "the reset SMS method is the default");

    // --- Delete the app with a code from it (30 s later: a fresh time step). ---
    await methodRow("Authenticator app").getByRole("link", { name: "Delete" }).click();
    inputs = await arrive(/^\/settings\/methods\/[^/]+\/delete$/, "delete-app");
    assert.deepEqual(inputs.map((input) => input.label), ["Authentication code"]);
    await assertCodeField("Authentication code");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /no longer be able to log in with this method/);
    assert.equal(await page.getByRole("button", { name: "Text me a code" }).count(), 0, "an app's code is not texted");
    srv.clock.advance(30);
    await page.getByLabel("Authentication code").fill(appCode(key));
    await page.getByRole("button", { name: "Delete method" }).click();
    await arrive("/settings/security", "security-app-deleted");
    assert.equal(await notice(), "The method was deleted.");
    assert.equal(await page.locator("table.methods tbody tr").count(), 1);
    assert.equal(await methodRow("Authenticator app").count(), 0);
    assert.match(await defaultRowName(), new RegExp(`${literal(secondMasked)}$`), "the SMS method is the default");
    assert.equal(await page.getByRole("link", { name: "Add an authenticator app" }).count(), 1);

    assert.deepEqual(pageErrors, [], "no script or console errors (CSP included)");
    assert.deepEqual(
      failedResponses.filter((line) => !line.startsWith("GET /favicon.ico ")).map((line) => line.replace(/methods\/[^/ ]+/, "methods/:id")),
      ["POST /settings/methods/:id/rename 400"],
      "the only failed request is the empty name",
    );
    assert.deepEqual(srv.logLines.filter((line) => /"level":(50|60)/.test(line)), [], "the server logged no errors");
    await phone.close();
    await page.close();
  });
});
