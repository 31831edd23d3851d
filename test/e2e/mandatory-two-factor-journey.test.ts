import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { dayMilliseconds } from "../../src/domain/two-factor-requirement.js";
import { createUser } from "../../src/services/access/users.js";
import { checkInputs, newWatchedTab, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;
const recoveryCodeForm = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/;
const memberPassword = "correct horse battery";

/** Midnight UTC of the day `days` from today (how an admin's date is stored). */
const dayFromToday = (now: number, days: number) => Math.floor(now / dayMilliseconds) * dayMilliseconds + days * dayMilliseconds;
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);
const longDay = (time: number) => new Date(time).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/**
 * P1 in a real browser, as people do it with the keyboard: a reseller's admin
 * types a date into the requirement page; a member without 2FA then logs in.
 * Dated yesterday, the member is taken to enrolment and nowhere else until the
 * app is set up and the recovery codes saved; dated next week, the login goes
 * through and shows the deadline with "Set up now". Every page visited is
 * screenshot into test-output/screenshots/mandatory-NN-*.png and its inputs checked.
 */
describe("e2e: mandatory two-factor authentication in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "mandatory-");
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

  const newTab = () => newWatchedTab(browser!, pageErrors);

  const arrive = async (page: Page, pathname: string | RegExp, name: string) => {
    await page.waitForURL((url) => (typeof pathname === "string" ? url.pathname === pathname : pathname.test(url.pathname)), { timeout: 15_000 });
    await page.waitForLoadState("load");
    await shots.take(page, name);
    return checkInputs(page);
  };
  const mainText = async (page: Page) => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  /** Tab until `matches` says the focused element is the one wanted: proves it is reachable by keyboard. */
  async function tabTo(page: Page, what: string, matches: (element: { id: string; tag: string; text: string }) => boolean) {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return { id: element?.id ?? "", tag: element?.tagName.toLowerCase() ?? "", text: (element?.textContent ?? "").trim() };
      });
      if (matches(focused)) return;
    }
    assert.fail(`${what} is not reachable with Tab`);
  }

  async function logIn(page: Page, email: string, password: string) {
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  /** The error sits right below its input, is announced and is tied to it. */
  async function assertErrorNextTo(page: Page, inputId: string, message: RegExp) {
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
  }

  /** Tab to the date field, type `text`, Tab to Save and press Enter. */
  async function typeDateAndSave(page: Page, fieldId: string, text: string) {
    await page.locator("h1").click();
    await tabTo(page, "the date field", (element) => element.id === fieldId);
    await page.keyboard.press("Control+A");
    await page.keyboard.type(text);
    await tabTo(page, "the Save button", (element) => element.tag === "button" && element.text === "Save this level");
    await page.keyboard.press("Enter");
  }

  /**
   * The admin's part, with the keyboard only: a date typed the way many people
   * write it (21/11/2026) is refused next to the field; typed as YYYY-MM-DD it is saved.
   */
  async function adminSetsDate(admin: { email: string; password: string; keyBase32: string }, label: RegExp, date: number, name: string) {
    const page = await newTab();
    await logIn(page, admin.email, admin.password);
    // Setting policy for others needs the admin's own 2FA and a fresh second factor.
    await arrive(page, "/login/two-factor", `${name}-admin-second-step`);
    server!.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(admin.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", `${name}-admin-security`);
    await page.getByRole("link", { name: "Two-factor policy" }).first().click();
    let inputs = await arrive(page, "/panel/policy", `${name}-admin-policy-page`);
    assert.deepEqual(
      inputs.filter((input) => input.type === "text").map((input) => input.label),
      ["Two-factor required from", "Two-factor required from"],
    );
    const level = page.locator("section", { has: page.getByRole("heading", { name: label }) });
    const dateField = level.getByLabel("Two-factor required from");
    const fieldId = (await dateField.getAttribute("id"))!;
    const [year, month, dayOfMonth] = isoDay(date).split("-") as [string, string, string];
    await typeDateAndSave(page, fieldId, `${dayOfMonth}/${month}/${year}`);
    await page.locator(`#${fieldId}-error`).waitFor({ state: "visible" });
    inputs = await arrive(page, "/panel/policy", `${name}-admin-policy-wrong-date`);
    await assertErrorNextTo(page, fieldId, /Enter a date as YYYY-MM-DD/);
    assert.equal(await dateField.inputValue(), `${dayOfMonth}/${month}/${year}`, "what was typed is kept to correct");

    await typeDateAndSave(page, fieldId, isoDay(date));
    await page.getByRole("status").waitFor({ state: "visible" });
    await arrive(page, "/panel/policy", `${name}-admin-saved`);
    assert.equal(await page.getByRole("status").textContent(), "The two-factor policy is saved.");
    assert.equal(await dateField.inputValue(), isoDay(date), "the saved date is shown");
    await page.getByRole("button", { name: "Log out" }).click();
    await arrive(page, "/login", `${name}-admin-logged-out`);
    await page.context().close();
  }

  async function resellerWithMember(adminEmail: string, memberEmail: string) {
    const srv = server!;
    const admin = await enrolTotp(srv.runtime.deps, { kind: "reseller", role: "admin", email: adminEmail });
    const member = await createUser(srv.runtime.deps, { accountId: admin.user.accountId, email: memberEmail, password: memberPassword, role: "member" }, { clientAddress: null, userAgent: "e2e" });
    assert.ok(member.ok);
    return { admin: { email: admin.user.email, password: admin.password, keyBase32: admin.keyBase32 }, member: member.user };
  }

  it("dated yesterday: the member is taken to enrolment and nowhere else until the app is set up and the codes saved", { timeout: 60_000 }, async () => {
    const srv = server!;
    const { admin, member } = await resellerWithMember("ada.admin@reseller-one.example", "max.member@reseller-one.example");
    const yesterday = dayFromToday(srv.clock.now(), -1);
    await adminSetsDate(admin, /Your reseller account's users/, yesterday, "now");

    const page = await newTab();
    await logIn(page, member.email, memberPassword);
    await arrive(page, "/login/enrol", "now-member-enrol");
    assert.match(await mainText(page), new RegExp(`Two-factor authentication is mandatory for your account since ${longDay(yesterday)}\\.`));
    assert.equal((await page.context().cookies()).some((cookie) => cookie.name === "twostep_session"), false, "no session after the password");

    // Typing other addresses lands back on enrolment.
    for (const [url, name] of [["/settings/security", "security"], ["/settings/methods", "methods"], ["/", "root"]] as const) {
      await page.goto(`${srv.url}${url}`);
      await arrive(page, "/login/enrol", `now-member-typed-${name}`);
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Set up two-factor authentication", url);
    }

    await tabTo(page, "the set-up button", (element) => element.tag === "button" && element.text === "Set up an authenticator app");
    await page.keyboard.press("Enter");
    const inputs = await arrive(page, /^\/login\/enrol\/totp\/[^/]+$/, "now-member-scan");
    assert.deepEqual(inputs.map((input) => input.label), ["Code from the app"]);
    const key = ((await page.locator("#totp-key").textContent()) ?? "").replace(/\s/g, "");
    assert.match(key, /^[A-Z2-7]{32}$/);
    await page.getByLabel("Code from the app").fill(codeFor(key, srv.clock.now()));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Two-factor authentication is enabled" }).waitFor();
    await arrive(page, /^\/login\/enrol\/totp\/[^/]+$/, "now-member-recovery-codes");
    const codes = await page.locator("#recovery-codes li code").allTextContents();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, recoveryCodeForm);
    assert.equal((await page.context().cookies()).some((cookie) => cookie.name === "twostep_session"), false, "no session while the codes are on screen");

    await tabTo(page, "I have saved my codes", (element) => element.tag === "button" && element.text === "I have saved my codes");
    await page.keyboard.press("Enter");
    await arrive(page, "/settings/security", "now-member-signed-in");
    assert.equal(await page.getByRole("status").textContent(), "Two-factor authentication is enabled.");
    assert.equal(await page.locator("#twofa-heading + p strong").textContent(), "Enabled");
    assert.equal(await page.locator("#two-factor-deadline").count(), 0, "no deadline notice once 2FA is on");
    assert.ok((await page.context().cookies()).some((cookie) => cookie.name === "twostep_session"));
    await page.goto(`${srv.url}/settings/methods`);
    await arrive(page, "/settings/security", "now-member-typed-methods-signed-in");
    await page.context().close();
  });

  it("dated next week: the member logs in, sees the deadline and 'Set up now', and follows it to setup", { timeout: 60_000 }, async () => {
    const srv = server!;
    const { admin, member } = await resellerWithMember("bea.admin@reseller-two.example", "mo.member@reseller-two.example");
    const nextWeek = dayFromToday(srv.clock.now(), 7);
    await adminSetsDate(admin, /Your reseller account's users/, nextWeek, "later");

    const page = await newTab();
    await logIn(page, member.email, memberPassword);
    await arrive(page, "/settings/security", "later-member-security-deadline");
    const notice = page.locator("#two-factor-deadline");
    assert.match(((await notice.textContent()) ?? "").replace(/\s+/g, " "), new RegExp(`mandatory for your account starting ${longDay(nextWeek)}\\.`));
    assert.equal(await notice.locator("time").getAttribute("datetime"), new Date(nextWeek).toISOString());
    await tabTo(page, "Set up now", (element) => element.tag === "a" && element.text === "Set up now");
    await page.keyboard.press("Enter");
    const inputs = await arrive(page, "/settings/two-factor/setup", "later-member-setup");
    assert.deepEqual(inputs.map((input) => input.label), ["Password"]);
    await page.context().close();
  });

  it("saw no script errors and the server logged none", () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(server!.logLines.filter((line) => /"level":(50|60)/.test(line)), []);
  });
});
