import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (package chromium); playwright-core never downloads a browser here. */
export const chromiumPath = process.env.TWOSTEP_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);

export const chromiumArgs = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 });
}

/**
 * A browser and a fresh context the way every journey uses them (1280×800, en-GB,
 * UTC, bounded waits). A launch failure names the Chromium binary it tried.
 */
export async function openBrowser(options: { acceptDownloads?: boolean } = {}): Promise<{ browser: Browser; context: BrowserContext }> {
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    throw new Error(`Chromium (${chromiumPath}) failed to launch: ${error instanceof Error ? error.message : String(error)}`);
  }
  const context = await browser.newContext({ acceptDownloads: options.acceptDownloads ?? false, viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return { browser, context };
}

/** A fresh tab in a fresh cookie jar (as `openBrowser`'s), its script errors and console errors pushed to `errors`. */
export async function newWatchedTab(browser: Browser, errors: string[]): Promise<Page> {
  const jar = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "UTC" });
  jar.setDefaultTimeout(10_000);
  const page = await jar.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  return page;
}

/**
 * Full-page screenshots numbered in the order the pages were visited: `NN-name.png`,
 * or `<prefix>NN-name.png` so several journeys can share the folder.
 */
export class Screenshots {
  private count = 0;
  readonly files: string[] = [];
  constructor(
    readonly dir: string,
    readonly prefix = "",
  ) {}

  /** Empties the folder of earlier runs' screenshots (of this prefix only, when there is one). */
  async reset() {
    await mkdir(this.dir, { recursive: true });
    for (const file of await readdir(this.dir)) if (file.endsWith(".png") && file.startsWith(this.prefix)) await rm(join(this.dir, file));
  }

  async take(page: Page, name: string): Promise<string> {
    const file = join(this.dir, `${this.prefix}${String(++this.count).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    this.files.push(file);
    return file;
  }
}

interface InputFacts {
  id: string;
  name: string;
  type: string;
  label: string | null;
  autocomplete: string | null;
  inputmode: string | null;
  formAction: string | null;
}

/**
 * On the current page: every visible input has a label (a <label for>, a wrapping
 * <label>, aria-label or aria-labelledby), and every one-time-code input is a numeric
 * one-time-code field. Recovery codes hold letters, so they are not numeric.
 * Returns the visible inputs for further checks.
 */
export async function checkInputs(page: Page): Promise<InputFacts[]> {
  const inputs: InputFacts[] = await page.$$eval("input, textarea, select", (elements) =>
    elements
      .filter((element) => {
        const box = (element as HTMLElement).getBoundingClientRect();
        return (element as HTMLInputElement).type !== "hidden" && box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
      })
      .map((element) => {
        const input = element as HTMLInputElement;
        const byFor = input.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
        const labelledBy = input.getAttribute("aria-labelledby");
        const label =
          byFor?.textContent?.trim() ||
          input.closest("label")?.textContent?.trim() ||
          input.getAttribute("aria-label") ||
          (labelledBy ? labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent?.trim() ?? "").join(" ").trim() : "") ||
          null;
        return {
          id: input.id,
          name: input.name,
          type: input.type,
          label,
          autocomplete: input.getAttribute("autocomplete"),
          inputmode: input.getAttribute("inputmode"),
          formAction: input.form?.getAttribute("action") ?? null,
        };
      }),
  );
  const where = new URL(page.url()).pathname;
  for (const input of inputs) {
    assert.ok(input.label, `${where}: input "${input.name}" has a visible label`);
    if (input.name === "code" && input.formAction !== "/login/recovery") {
      assert.equal(input.autocomplete, "one-time-code", `${where}: code input "${input.label}" has autocomplete=one-time-code`);
      assert.equal(input.inputmode, "numeric", `${where}: code input "${input.label}" has inputmode=numeric`);
    }
    if (input.formAction === "/login/recovery") assert.notEqual(input.inputmode, "numeric", "recovery codes hold letters");
    if (input.type === "password") assert.match(input.autocomplete ?? "", /^(current|new)-password$/, `${where}: password input "${input.label}" names its autocomplete`);
  }
  return inputs;
}
