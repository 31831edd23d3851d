import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { seedUser } from "../helpers/runtime.js";
import { startMailingTestServer, type MailingTestServer } from "../helpers/mailing-server.js";
import type { RunningServer } from "../helpers/server.js";
import type { LocalSmtpServer, ReceivedEmail } from "../helpers/smtp.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/** The second browser says it is Chrome on Windows, so the page and the email can tell the two apart. */
const windowsChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/**
 * Issue 17 items 4 and 5 in real browsers, the mail read from a real local SMTP
 * server: browser A signs in (a new browser: one email), signs out and in again
 * (a known browser: no email); browser B signs in (new: an email naming it);
 * A's "Where you're signed in" lists both, A signs B out, and B's next request
 * is logged out. Screenshots: test-output/screenshots/sessions-NN-*.png.
 */
describe("e2e: where you're signed in and the new sign-in email, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let smtp: LocalSmtpServer | undefined;
  let mailing: MailingTestServer | undefined;
  let browser: Browser | undefined;
  let contextA: BrowserContext | undefined;
  let contextB: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "sessions-");
  const pageErrors: string[] = [];

  before(async () => {
    await shots.reset();
    // The emails go through SMTP to a local server, sent by the dispatcher after commit.
    mailing = await startMailingTestServer();
    ({ server, smtp } = mailing);
    ({ browser, context: contextA } = await openBrowser());
    contextB = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC", userAgent: windowsChrome });
  });

  after(async () => {
    await contextA?.close().catch(() => {});
    await contextB?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await mailing?.close();
  });

  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security", { timeout: 15_000 });
  };
  const mainText = async (page: Page) => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
  const newSignIns = (to: string): ReceivedEmail[] => smtp!.received.filter((mail) => mail.envelopeTo.includes(to) && mail.parsed.subject === "New sign-in to your account");
  const waitForNewSignIns = async (to: string, count: number) => {
    const deadline = Date.now() + 20_000;
    while (newSignIns(to).length < count) {
      if (Date.now() > deadline) assert.fail(`expected ${count} new sign-in emails, got ${newSignIns(to).length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return newSignIns(to);
  };

  it("lists both browsers, signs the second out, and emails only for new browsers", async () => {
    const { user, password } = await seedUser(server!.runtime.deps, { kind: "reseller" });
    const pageA = await contextA!.newPage();
    const pageB = await contextB!.newPage();
    for (const page of [pageA, pageB]) page.on("pageerror", (error) => pageErrors.push(error.message));

    // A: a browser this user never signed in from: one email.
    await signIn(pageA, user.email, password);
    const [first] = await waitForNewSignIns(user.email, 1);
    assert.match(first!.parsed.text ?? "", /has not signed in to it before/);

    // A again, after a logout: a known browser (its twostep_browser cookie), no email.
    await pageA.getByRole("button", { name: "Log out" }).click();
    await pageA.waitForURL((url) => url.pathname === "/login");
    await signIn(pageA, user.email, password);

    // B: new, so an email naming Chrome on Windows and linking to the sessions page.
    await signIn(pageB, user.email, password);
    const mails = await waitForNewSignIns(user.email, 2);
    const second = mails[1]!;
    assert.match(second.parsed.text ?? "", /Chrome 131 on Windows/);
    assert.match(second.parsed.text ?? "", /127\.0\.0\.1/);
    assert.match(second.parsed.text ?? "", /\/settings\/sessions/);
    assert.match(String(second.parsed.html), /href="[^"]*\/settings\/sessions"/);
    // Anything A's second sign-in had queued would have been sent before B's; give the dispatcher a moment more anyway.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(newSignIns(user.email).length, 2, "the known browser's sign-in sent nothing");

    // A lists both, itself first and marked.
    await pageA.getByRole("link", { name: "See where you're signed in" }).click();
    await pageA.waitForURL((url) => url.pathname === "/settings/sessions");
    await shots.take(pageA, "both-browsers");
    assert.deepEqual((await checkInputs(pageA)).map((input) => input.label), [], "buttons only, no fields");
    const rows = pageA.locator("table.sessions tbody tr");
    assert.equal(await rows.count(), 2);
    assert.match((await rows.nth(0).textContent()) ?? "", /This browser/);
    assert.match(((await rows.nth(1).textContent()) ?? "").replace(/\s+/g, " "), /Chrome 131 on Windows.*127\.0\.0\.1/);

    // B is on its security page; A signs it out.
    await pageA.getByRole("button", { name: "Sign out Chrome 131 on Windows" }).click();
    await pageA.waitForURL((url) => url.pathname === "/settings/sessions");
    await shots.take(pageA, "second-signed-out");
    assert.match(await mainText(pageA), /That session is signed out/);
    assert.equal(await pageA.locator("table.sessions tbody tr").count(), 1);

    // B's next request is logged out.
    await pageB.reload();
    await pageB.waitForURL((url) => url.pathname === "/login");
    await shots.take(pageB, "second-logged-out");

    // The keyboard reaches "Sign out everywhere else" only when there is someone else: none now.
    assert.match(await mainText(pageA), /You are signed in on this browser only/);
    const events = await server!.runtime.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 });
    assert.deepEqual(events.filter((event) => event.type === "login.new_browser").length, 2);
    assert.ok(events.some((event) => event.type === "session.ended" && event.detail.current === false));
    assert.deepEqual(pageErrors, []);
  });
});
