import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { enrolTotp } from "../helpers/enrol.js";
import { startMailingTestServer, type MailingTestServer } from "../helpers/mailing-server.js";
import type { RunningServer } from "../helpers/server.js";
import type { LocalSmtpServer } from "../helpers/smtp.js";
import { codeFor } from "../helpers/totp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;
const newPassword = "a brand new passphrase";

/**
 * PR1 in a real browser, the mail read from a real local SMTP server: "Forgot
 * password?" → the email's link → a new password typed twice → NOT logged in:
 * the second step asks for the authenticator code → logged in, 2FA still on.
 * Every page is screenshot into test-output/screenshots/reset-NN-*.png.
 */
describe("e2e: password reset that keeps 2FA, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let smtp: LocalSmtpServer | undefined;
  let mailing: MailingTestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "reset-");
  const pageErrors: string[] = [];

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

  /** The first email received whose text contains `text` (the enrolment's own emails arrive too). */
  async function mailWith(text: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = smtp!.received.find((m) => (m.parsed.text ?? "").includes(text));
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no email with "${text}"; got: ${smtp!.received.map((m) => m.parsed.subject).join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const arrive = async (page: Page, pathname: string, name: string) => {
    await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
    await page.waitForLoadState("load");
    await shots.take(page, name);
    return checkInputs(page);
  };

  it("forgot password → link by email → new password twice → second step → logged in, 2FA still on", async () => {
    const enrolled = await enrolTotp(server!.runtime.deps, { password: "the old forgotten one" });
    const email = enrolled.user.email;
    const page = await context!.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${server!.url}/login`);
    await arrive(page, "/login", "login");
    await page.getByRole("link", { name: "Forgot password?" }).click();
    const forgotInputs = await arrive(page, "/login/forgot", "forgot");
    assert.deepEqual(forgotInputs.map((input) => input.label), ["Email"]);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await shots.take(page, "check-your-email");

    const mail = await mailWith("/login/reset?token=");
    assert.deepEqual(mail.envelopeTo, [email]);
    const text = mail!.parsed.text ?? "";
    const link = /https?:\/\/\S+\/login\/reset\?token=[A-Za-z0-9_-]+/.exec(text)?.[0];
    assert.ok(link, `no reset link in the email: ${text}`);
    assert.ok((mail!.parsed.html || "").includes("/login/reset?token="), "the HTML part has the link too");
    const token = new URL(link!).searchParams.get("token")!;

    // The link names the public URL; the test server listens elsewhere, so open the same path there.
    await page.goto(`${server!.url}/login/reset?token=${token}`);
    const resetInputs = await arrive(page, "/login/reset", "choose-new-password");
    assert.deepEqual(resetInputs.map((input) => input.label), ["New password", "New password again"]);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again").fill("not the same passphrase");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.locator("#field-confirmPassword-error").waitFor({ state: "visible" });
    await shots.take(page, "passwords-differ");
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again").fill(newPassword);
    await page.getByRole("button", { name: "Set the new password" }).click();

    // Not logged in: the reset leads to the second step, like a password login.
    await arrive(page, "/login/two-factor", "second-step-after-reset");
    const cookies = await context!.cookies();
    assert.ok(!cookies.some((cookie) => cookie.name === "twostep_session"), "no session before the second factor");
    server!.clock.advance(30);
    await page.getByLabel("Authentication code").fill(codeFor(enrolled.keyBase32, server!.clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await arrive(page, "/settings/security", "security-after-reset");
    const main = ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
    assert.match(main, /Enabled/, "2FA stays on after a reset");

    // The link works once: opening it again shows that it does not work.
    await page.goto(`${server!.url}/login/reset?token=${token}`);
    await page.getByRole("heading", { name: "This link does not work" }).waitFor();
    await shots.take(page, "link-used");

    // The user is told by email that the password was reset.
    const told = await mailWith("was reset");
    assert.equal(told.parsed.subject, "Your password was reset");
    assert.equal(smtp!.received.filter((m) => (m.parsed.text ?? "").includes(token)).length, 1, "only the link email holds the token");
    assert.deepEqual(pageErrors, []);
  });
});
