import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { checkInputs, chromiumPath, hasChromium, openBrowser, Screenshots } from "../helpers/chromium.js";
import { eventLogWorld, password } from "../helpers/event-log-world.js";
import { startTestServer, type RunningServer } from "../helpers/server.js";

const skip = !hasChromium ? `no Chromium at ${chromiumPath}` : false;

/**
 * A4 in a real browser: a user logs in, opens Event log, filters by type and
 * downloads the CSV; an admin opens the Account event log. Screenshots go to
 * test-output/screenshots/events-NN-*.png.
 */
describe("e2e: event logs in Chromium", { skip, timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const shots = new Screenshots("test-output/screenshots", "events-");
  let world: Awaited<ReturnType<typeof eventLogWorld>>;

  before(async () => {
    await shots.reset();
    server = await startTestServer();
    world = await eventLogWorld(server.runtime.deps);
    ({ browser, context } = await openBrowser({ acceptDownloads: true }));
  });
  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  async function logIn(page: Page, email: string) {
    await context!.clearCookies();
    await page.goto(`${server!.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security");
  }

  it("a user opens Event log, filters by type, downloads the CSV", async () => {
    const page = await context!.newPage();
    await logIn(page, world.member.email);
    await page.getByRole("link", { name: "Event log" }).first().click();
    await page.waitForURL((url) => url.pathname === "/settings/events");
    await shots.take(page, "own-log");
    const labels = (await checkInputs(page)).map((input) => input.label ?? "");
    assert.deepEqual(labels.filter((label) => label.startsWith("From") || label.startsWith("To") || label === "Event type").length, 3, labels.join(", "));
    await page.getByLabel("Event type").selectOption("method.reset");
    await page.getByRole("button", { name: "Show events" }).click();
    await page.waitForURL((url) => url.searchParams.get("type") === "method.reset");
    await shots.take(page, "own-log-filtered");
    assert.equal(await page.locator("tbody tr").count(), 1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    assert.equal(lines[0], "time,type,label,actor_email,subject_email,account,client_address,user_agent,detail");
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /,method\.reset,Method reset,/);
    assert.match(lines[1]!, /"'=HYPERLINK/);
    await page.close();
  });

  it("an admin opens the Account event log and sees its customers' events", async () => {
    const page = await context!.newPage();
    await logIn(page, world.admin.email);
    await page.getByRole("link", { name: "Account event log" }).click();
    await page.waitForURL((url) => url.pathname === "/panel/events");
    await shots.take(page, "account-log");
    const text = await page.locator("main").innerText();
    assert.match(text, new RegExp(world.buyer.email.replace(/[.]/g, "\\.")));
    assert.doesNotMatch(text, new RegExp(world.otherMember.email.replace(/[.]/g, "\\.")));
    await page.close();
  });
});
