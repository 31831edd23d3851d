import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import type { EnrolledUser } from "../helpers/enrol.js";
import { resetCast } from "../helpers/reset-requests.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * A2 in a real browser: a reseller admin (TOTP on) opens Control panel →
 * Manage users → the member's record → asks support to reset the member's 2FA
 * with a reason; platform support (TOTP on) opens Support console → 2FA reset
 * requests → the request (user, filing admin, recent events) → Approve; the
 * member then logs in with the password alone and sees 2FA off; the member
 * and the admin were emailed. Screenshots: test-output/screenshots/resetreq-NN-*.png.
 */
describe("e2e: a support-reviewed 2FA reset request, in Chromium", { skip, timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "resetreq-");

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

  /** Password, then a TOTP code of a later time step (a step is used only once). */
  const logIn = async (page: Page, who: EnrolledUser, prefix: string) => {
    server!.clock.advance(30);
    await page.goto(`${server!.url}/login`);
    await arrive(page, "/login", `${prefix}-login`);
    await page.getByLabel("Email").fill(who.user.email);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", `${prefix}-second-step`);
    await page.getByLabel("Authentication code").fill(codeFor(who.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", `${prefix}-logged-in`);
  };

  it("admin files a reset request → support reviews and approves → the member signs in with the password alone; both are emailed", async () => {
    const deps = server!.runtime.deps;
    const cast = await resetCast(deps);
    const { admin, member, support } = cast;
    const reason = "Max lost the phone with the authenticator app; I confirmed it by a video call.";

    // The reseller admin files the request.
    const page = await context!.newPage();
    await logIn(page, admin, "admin");
    await page.getByRole("link", { name: "Manage users" }).click();
    await arrive(page, "/panel/users", "users");
    await page.getByRole("link", { name: member.user.email }).click();
    await arrive(page, `/panel/users/${member.user.id}`, "member-record");
    await page.getByRole("link", { name: /Request a two-factor reset/ }).click();
    const formInputs = await arrive(page, `/panel/users/${member.user.id}/reset-request`, "request-form");
    assert.ok(formInputs.some((input) => input.label === "Reason"), "the Reason field is labelled");
    await page.getByLabel("Reason").fill(reason);
    await page.getByRole("button", { name: "Send the request to support" }).click();
    await page.waitForURL((url) => url.pathname === `/panel/users/${member.user.id}` && url.searchParams.get("notice") === "reset_requested", { timeout: 15_000 });
    await page.getByText("The reset request is sent.").waitFor();
    await shots.take(page, "requested");

    // Platform support reviews and approves, in its own browser context.
    const supportContext = await browser!.newContext();
    const supportPage = await supportContext.newPage();
    await logIn(supportPage, support, "support");
    await supportPage.getByRole("link", { name: "2FA reset requests" }).click();
    await arrive(supportPage, "/support/reset-requests", "queue");
    const row = supportPage.getByRole("row", { name: new RegExp(member.user.displayName) });
    assert.match((await row.textContent()) ?? "", new RegExp(admin.user.displayName));
    await row.getByRole("link", { name: member.user.displayName }).click();
    await supportPage.waitForURL((url) => url.pathname.startsWith("/support/reset-requests/"), { timeout: 15_000 });
    const reviewPath = new URL(supportPage.url()).pathname;
    await arrive(supportPage, reviewPath, "review");
    const details = (await supportPage.locator("dl").textContent()) ?? "";
    assert.match(details, new RegExp(member.user.email.replace(/[.]/g, "\\.")));
    assert.match(details, new RegExp(admin.user.displayName));
    assert.match(details, /Two-factor authentication\s*On/);
    assert.match(details, /video call/);
    assert.ok((await supportPage.getByRole("heading", { name: "Recent security events of this user" }).count()) === 1);
    assert.ok((await supportPage.locator("table tbody tr").count()) > 0, "the member's recent events are listed");
    // The Reason box for rejecting fills its form's width (it was a narrow default textarea), and the
    // "Decide" heading stands clear of the events table above it.
    const reasonBox = (await supportPage.getByLabel("Reason for rejecting").boundingBox())!;
    const rejectForm = (await supportPage.locator("form.decision").nth(1).boundingBox())!;
    assert.ok(reasonBox.width >= rejectForm.width - 60, `the Reason box is ${reasonBox.width}px in a ${rejectForm.width}px form`);
    assert.ok(reasonBox.height >= 80, "a few lines tall");
    const tableBottom = await supportPage.locator("table").last().evaluate((table) => table.getBoundingClientRect().bottom);
    const decideTop = await supportPage.getByRole("heading", { name: "Decide" }).evaluate((heading) => heading.getBoundingClientRect().top);
    assert.ok(decideTop - tableBottom >= 24, `"Decide" sits ${decideTop - tableBottom}px below the table`);
    // Keyboard: from the Reason box, Tab reaches the Reject button.
    await supportPage.getByLabel("Reason for rejecting").focus();
    await supportPage.keyboard.press("Tab");
    assert.equal(await supportPage.evaluate(() => document.activeElement?.textContent?.trim()), "Reject the request");
    await supportPage.getByRole("button", { name: "Approve and turn off two-factor authentication" }).click();
    await supportPage.waitForLoadState("load");
    if (new URL(supportPage.url()).pathname !== reviewPath) {
      // A confirmation step (for example "Confirm it's you"): answer it with a fresh code.
      await shots.take(supportPage, "approve-confirm");
      server!.clock.advance(30);
      const code = supportPage.getByLabel("Authentication code");
      if ((await code.count()) > 0) await code.fill(codeFor(support.keyBase32, server!.clock.now()));
      await supportPage.locator("form button[type=submit]").first().click();
    }
    await supportPage.waitForURL((url) => url.searchParams.get("notice") === "reset_approved", { timeout: 15_000 });
    await supportPage.getByText("Approved: the user's two-factor authentication is off").waitFor();
    await shots.take(supportPage, "approved");
    assert.match((await supportPage.locator("dl").textContent()) ?? "", /Approved/);
    assert.equal(await supportPage.getByRole("button", { name: /Approve/ }).count(), 0, "no Approve button once decided");
    await supportContext.close();

    // The member: the password alone signs in now, and the security page shows 2FA off.
    const memberContext = await browser!.newContext();
    const memberPage = await memberContext.newPage();
    await memberPage.goto(`${server!.url}/login`);
    await memberPage.getByLabel("Email").fill(member.user.email);
    await memberPage.getByLabel("Password").fill(member.password);
    await memberPage.getByRole("button", { name: "Log in" }).click();
    await arrive(memberPage, "/settings/security", "member-password-alone");
    assert.equal(((await memberPage.locator(".status-off").first().textContent()) ?? "").trim(), "Disabled");
    await memberContext.close();

    // Emails: filed and approved, each to the member and to the filing admin.
    const messages = await deps.store.messages.listMessages(1000);
    for (const kind of ["reset_request_filed", "reset_request_approved"]) {
      for (const who of [member, admin]) {
        assert.equal(messages.filter((message) => message.kind === kind && message.recipient === who.user.email).length, 1, `${kind} to ${who.user.displayName}`);
      }
    }
  });
});
