import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { addUser, giveMethod } from "../helpers/manage-users.js";
import { startMailingTestServer, type MailingTestServer } from "../helpers/mailing-server.js";
import type { RunningServer } from "../helpers/server.js";
import type { LocalSmtpServer } from "../helpers/smtp.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * A1 in a real browser, mail from a real local SMTP server: an admin logs in
 * with TOTP, opens Manage users (coverage line), filters to users without 2FA,
 * creates a user; the invitation arrives; the new user chooses a password from
 * its link and logs in; the admin deactivates a user through the confirm page.
 * Screenshots: test-output/screenshots/users-NN-*.png.
 */
describe("e2e: manage users, in Chromium", { skip, timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let smtp: LocalSmtpServer | undefined;
  let mailing: MailingTestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "users-");

  before(async () => {
    await shots.reset();
    // The emails go through SMTP to a local server, sent by the dispatcher after commit.
    mailing = await startMailingTestServer();
    ({ server, smtp } = mailing);
    ({ browser, context } = await openBrowser());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await mailing?.close();
  });

  async function mailTo(address: string, text: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = smtp!.received.find((m) => m.envelopeTo.includes(address) && (m.parsed.text ?? "").includes(text));
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no email to ${address} with "${text}"`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const arrive = async (page: Page, pathname: string, name: string) => {
    await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
    await page.waitForLoadState("load");
    await shots.take(page, name);
    return checkInputs(page);
  };

  it("admin with TOTP → Manage users → without 2FA → create → invitation → new user sets a password and logs in → admin deactivates", async () => {
    const deps = server!.runtime.deps;
    const admin = await enrolTotp(deps, { role: "admin" });
    const colleagues = [];
    for (const name of ["alex", "blair", "casey", "devon"]) colleagues.push(await addUser(deps, admin.user.accountId, { email: `${name}-${Date.now()}@example.test`, displayName: name[0]!.toUpperCase() + name.slice(1) }));
    await giveMethod(deps, colleagues[0]!.user.id, "totp");
    await giveMethod(deps, colleagues[1]!.user.id, "sms");

    const page = await context!.newPage();
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(admin.user.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrive(page, "/login/two-factor", "second-step");
    server!.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(admin.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security");

    await page.getByRole("link", { name: "Manage users" }).click();
    await arrive(page, "/panel/users", "list");
    assert.match((await page.locator(".coverage").textContent()) ?? "", /3 of 5 users have 2FA/);
    await page.getByRole("link", { name: "Without 2FA" }).click();
    await page.waitForURL((url) => url.searchParams.get("withoutTwoFactor") === "1");
    await shots.take(page, "without-2fa");
    const rows = await page.locator("table.users tbody tr").count();
    assert.equal(rows, 2, "casey and devon");

    await page.getByRole("link", { name: "Create user" }).click();
    const inputs = await arrive(page, "/panel/users/new", "create-form");
    assert.ok(inputs.some((input) => input.label === "Email") && inputs.some((input) => input.label === "Name"));
    const email = `newcomer-${Date.now()}@example.test`;
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Name").fill("Nico Newcomer");
    await page.getByRole("button", { name: "Create user and send invitation" }).click();
    await page.getByText("The user is created").waitFor();
    await shots.take(page, "created");

    const mail = await mailTo(email, "/login/reset?token=");
    assert.match(mail.parsed.subject ?? "", /invited/);
    const token = new URL(/https?:\/\/\S+\/login\/reset\?token=[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? "")![0]).searchParams.get("token")!;
    const newcomer = await context!.browser()!.newContext();
    const invited = await newcomer.newPage();
    await invited.goto(`${server!.url}/login/reset?token=${token}`);
    await arrive(invited, "/login/reset", "set-password");
    // An invited user sets a first password: the page welcomes them and never speaks of a reset.
    assert.equal(await invited.title(), "Set your password · twostep");
    await invited.getByRole("heading", { level: 1, name: /^Welcome to / }).waitFor();
    assert.doesNotMatch(await invited.locator("main").innerText(), /reset|new password/i);
    await invited.getByLabel("Password", { exact: true }).fill("my very first password");
    await invited.getByLabel("Password again").fill("my very first password");
    await invited.getByRole("button", { name: "Set your password" }).click();
    await invited.waitForLoadState("load");
    if (new URL(invited.url()).pathname !== "/settings/security") {
      await invited.goto(`${server!.url}/login`);
      await invited.getByLabel("Email").fill(email);
      await invited.getByLabel("Password").fill("my very first password");
      await invited.getByRole("button", { name: "Log in" }).click();
    }
    await arrive(invited, "/settings/security", "newcomer-logged-in");
    await newcomer.close();

    await page.goto(`${server!.url}/panel/users/${colleagues[3]!.user.id}`);
    await arrive(page, `/panel/users/${colleagues[3]!.user.id}`, "record");
    await page.getByRole("link", { name: "Deactivate user" }).click();
    await arrive(page, `/panel/users/${colleagues[3]!.user.id}/deactivate`, "confirm-deactivate");
    await page.getByRole("button", { name: "Deactivate user" }).click();
    await page.getByText("The user is deactivated").waitFor();
    await shots.take(page, "deactivated");
    assert.equal((await deps.store.accounts.findUserById(colleagues[3]!.user.id))?.active, false);
    await mailTo(colleagues[3]!.user.email, "deactivated");
  });
});
