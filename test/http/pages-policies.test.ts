import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { nextCode, wrongCodeFor } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp, type TestClock } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage, recoveryCodesFromPage } from "../helpers/totp.js";

/**
 * Policies and error paths through the HTML pages: R5 `disable` (notice, then
 * Disabled), D1 `rotatePasswordOnDisable` (New password field, error beside
 * it), R3 regeneration with a password or a code (old set dead at once), L3
 * wrong code (401, troubleshooting hints, retry), L4 expired pending login,
 * L1 direct login without 2FA, and accessible forms: every visible input on
 * every page visited has a <label for>.
 */

/** Every visible input has an id and a label pointing at it. Returns how many inputs it checked. */
function assertInputsLabelled(page: string, where: string): number {
  let checked = 0;
  for (const [tag] of page.matchAll(/<input\b[^>]*>/g)) {
    if (/\btype="hidden"/.test(tag)) continue;
    const id = /\bid="([^"]+)"/.exec(tag)?.[1];
    assert.ok(id, `${where}: an input without an id: ${tag}`);
    assert.match(page, new RegExp(`<label\\b[^>]*\\bfor="${id}"[^>]*>[^<]*\\S[^<]*</label>`), `${where}: no label for #${id}`);
    checked++;
  }
  return checked;
}

/** A FormClient that checks the labels of every HTML page it receives. */
class LabelCheckingClient extends FormClient {
  /** Pages seen, with the number of visible inputs on each. */
  pages = new Map<string, number>();

  private check(method: string, url: string, response: LightMyRequestResponse) {
    if (!String(response.headers["content-type"] ?? "").startsWith("text/html")) return;
    const path = url.replace(/[0-9a-f-]{36}/, ":id");
    this.pages.set(`${method} ${path} ${response.statusCode}`, assertInputsLabelled(response.body, `${method} ${url}`));
  }

  override async get(url: string) {
    const response = await super.get(url);
    this.check("GET", url, response);
    return response;
  }

  override async post(url: string, fields: Record<string, string>, options: { csrfFrom?: string; csrf?: string | null } = {}) {
    const response = await super.post(url, fields, options);
    this.check("POST", url, response);
    return response;
  }
}

async function logIn(browser: FormClient, email: string, password: string): Promise<string> {
  const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
  assert.equal(response.statusCode, 303, response.body);
  return String(response.headers.location);
}

async function logOut(browser: FormClient) {
  const response = await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
  assert.equal(response.headers.location, "/login?notice=logged_out");
}

/** M1 through the pages; the confirmation claims the current step. */
async function enrolThroughPages(browser: FormClient, password: string, clock: TestClock): Promise<{ key: string; codes: string[] }> {
  let response = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
  assert.equal(response.statusCode, 303);
  const setupUrl = String(response.headers.location);
  response = await browser.get(setupUrl);
  const key = keyFromSetupPage(response.body);
  response = await browser.post(setupUrl, { code: codeFor(key, clock.now()) }, { csrfFrom: setupUrl });
  assert.equal(response.statusCode, 200);
  const codes = recoveryCodesFromPage(response.body);
  assert.equal(codes.length, 10);
  return { key, codes };
}

const statusLine = (page: string) => /Status: <strong class="status-(?:on|off)">(Enabled|Disabled)<\/strong>/.exec(page)?.[1];

describe("pages: policies, regeneration and second-step errors", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("L1: a user without 2FA logs in with the password alone", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new LabelCheckingClient(t.app);
    assert.equal(await logIn(browser, user.email, password), "/settings/security");
    const response = await browser.get("/settings/security");
    assert.equal(response.statusCode, 200);
    assert.equal(statusLine(response.body), "Disabled");
    assert.equal((await browser.get("/login/two-factor")).headers.location, "/login?notice=login_expired", "there is no second step to show");
  });

  it("R5 `disable`: a recovery-code login shows the notice and leaves 2FA disabled", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { recoveryCodePolicy: "disable" } });
    const browser = new LabelCheckingClient(t.app);
    await logIn(browser, user.email, password);
    const { codes } = await enrolThroughPages(browser, password, t.clock);
    await logOut(browser);

    assert.equal(await logIn(browser, user.email, password), "/login/two-factor");
    let response = await browser.get("/login/two-factor");
    assert.match(response.body, /href="\/login\/recovery"/);
    response = await browser.post("/login/recovery", { code: codes[2]! }, { csrfFrom: "/login/recovery" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/settings/security?notice=recovery_disabled");
    response = await browser.get(String(response.headers.location));
    assert.match(response.body, /<div class="notice" role="status">You logged in with a recovery code, so two-factor authentication is now disabled\. Set it up again/);
    assert.equal(statusLine(response.body), "Disabled");
    assert.match(response.body, /Set up two-factor authentication/, "prompted to enrol again");

    await logOut(browser);
    assert.equal(await logIn(browser, user.email, password), "/settings/security", "no second step any more");
  });

  it("D1 `rotatePasswordOnDisable`: the form asks for a new password and shows the error beside it", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { rotatePasswordOnDisable: true } });
    const browser = new LabelCheckingClient(t.app);
    await logIn(browser, user.email, password);
    await enrolThroughPages(browser, password, t.clock);

    let response = await browser.get("/settings/two-factor/disable");
    assert.match(response.body, /<label for="field-newPassword">New password<\/label>/);
    assert.match(response.body, /<input id="field-newPassword" name="newPassword" type="password" autocomplete="new-password"/);

    response = await browser.post("/settings/two-factor/disable", { password, newPassword: "" }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(response.statusCode, 400);
    assert.match(
      response.body,
      /<input id="field-newPassword"[^>]*aria-invalid="true">\s*<p class="error" id="field-newPassword-error" role="alert">Use a password of at least 12 characters\.<\/p>/,
    );
    assert.doesNotMatch(response.body, /id="field-password-error"/, "the error is on the new password, not the current one");
    assert.equal(statusLine((await browser.get("/settings/security")).body), "Enabled", "a refused disable changes nothing");

    const newPassword = "a brand new passphrase";
    response = await browser.post("/settings/two-factor/disable", { password, newPassword }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_disabled_password_changed");
    response = await browser.get(String(response.headers.location));
    assert.match(response.body, /Two-factor authentication is disabled and your new password is set\./);
    assert.equal(statusLine(response.body), "Disabled");
    await logOut(browser);

    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.statusCode, 401, "the old password is gone");
    assert.match(response.body, /Incorrect email or password\./);
    assert.equal(await logIn(browser, user.email, newPassword), "/settings/security");
  });

  it("R3: regenerates recovery codes with the password and with a code; each old set dies at once", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new LabelCheckingClient(t.app);
    await logIn(browser, user.email, password);
    const { key, codes: firstCodes } = await enrolThroughPages(browser, password, t.clock);

    let response = await browser.get("/settings/recovery-codes");
    assert.match(response.body, /Your current recovery codes will stop working at once/, "the UI warns first");
    response = await browser.post("/settings/recovery-codes", { password: "not the password", code: "" });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /id="field-password-error" role="alert">That password is not correct\./);
    response = await browser.post("/settings/recovery-codes", { password, code: "" });
    assert.equal(response.statusCode, 200);
    const secondCodes = recoveryCodesFromPage(response.body);
    assert.equal(secondCodes.length, 10);
    assert.match(response.body, /These codes are shown only once/);

    response = await browser.post("/settings/recovery-codes", { password: "", code: wrongCodeFor(key, t.clock.now()) });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /id="field-code-error" role="alert">That code didn&#39;t work/);
    response = await browser.post("/settings/recovery-codes", { password: "", code: nextCode(key, t.clock) });
    assert.equal(response.statusCode, 200);
    const thirdCodes = recoveryCodesFromPage(response.body);
    assert.equal(thirdCodes.length, 10);
    assert.equal(new Set([...firstCodes, ...secondCodes, ...thirdCodes]).size, 30);
    assert.match((await browser.get("/settings/security")).body, /10<\/strong> of 10 recovery codes unused/);
    await logOut(browser);

    await logIn(browser, user.email, password);
    for (const old of [firstCodes[0]!, secondCodes[0]!]) {
      response = await browser.post("/login/recovery", { code: old }, { csrfFrom: "/login/recovery" });
      assert.equal(response.statusCode, 401, `old code ${old} refused`);
      assert.match(response.body, /That recovery code is not valid or was already used\./);
    }
    response = await browser.post("/login/recovery", { code: thirdCodes[0]! }, { csrfFrom: "/login/recovery" });
    assert.equal(response.headers.location, "/settings/security");
  });

  it("L3: a wrong code is a 401 with the troubleshooting hints, and the user can retry", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new LabelCheckingClient(t.app);
    await logIn(browser, user.email, password);
    const { key } = await enrolThroughPages(browser, password, t.clock);
    await logOut(browser);

    t.clock.advance(30);
    assert.equal(await logIn(browser, user.email, password), "/login/two-factor");
    let response = await browser.post("/login/two-factor", { code: wrongCodeFor(key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 401);
    const error = /<p class="error" id="field-code-error" role="alert">([^<]+)<\/p>/.exec(response.body)?.[1];
    assert.ok(error, "the error sits under the code field");
    assert.match(error, /Wait for the next code and try again/);
    assert.match(error, /sync your device&#39;s clock/);
    assert.match(response.body, /<input id="field-code"[^>]*aria-describedby="field-code-hint field-code-error"[^>]*aria-invalid="true"/);
    assert.equal((await browser.get("/settings/security")).headers.location, "/login", "still no session");

    response = await browser.post("/login/two-factor", { code: codeFor(key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
    assert.equal((await browser.get("/settings/security")).statusCode, 200);
  });

  it("L4: a pending login expires after loginTtlSeconds and sends the user back to log in", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new LabelCheckingClient(t.app);
    await logIn(browser, user.email, password);
    const { key } = await enrolThroughPages(browser, password, t.clock);
    await logOut(browser);

    assert.equal(await logIn(browser, user.email, password), "/login/two-factor");
    const csrf = await browser.csrfFor("/login/two-factor");
    t.clock.advance(t.config.loginTtlSeconds + 1);

    let response = await browser.get("/login/two-factor");
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/login?notice=login_expired");
    response = await browser.post("/login/two-factor", { code: codeFor(key, t.clock.now()) }, { csrf });
    assert.equal(response.headers.location, "/login?notice=login_expired", "a right code no longer completes an expired login");
    assert.equal((await browser.get("/settings/security")).headers.location, "/login");
    response = await browser.get("/login?notice=login_expired");
    assert.match(response.body, /<div class="notice" role="status">Your login has expired or was already completed\. Log in again\.<\/div>/);
  });

  it("labels every visible input on every page, error states included", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { rotatePasswordOnDisable: true } });
    const browser = new LabelCheckingClient(t.app);
    await browser.get("/login");
    await browser.post("/login", { email: user.email, password: "wrong password!" });
    await logIn(browser, user.email, password);
    await browser.get("/settings/security");
    await browser.get("/settings/two-factor/setup");
    await browser.post("/settings/two-factor/setup", { password: "wrong password!" });
    await enrolThroughPages(browser, password, t.clock);
    await browser.get("/settings/recovery-codes");
    await browser.get("/settings/two-factor/disable");
    await logOut(browser);
    await logIn(browser, user.email, password);
    await browser.post("/login/two-factor", { code: "12345" }, { csrfFrom: "/login/two-factor" });
    await browser.get("/login/recovery");
    await browser.post("/login/recovery", { code: "not-a-code" });
    await browser.get("/no/such/page");

    const expected = [
      "GET /login 200",
      "POST /login 401",
      "GET /settings/security 200",
      "GET /settings/two-factor/setup 200",
      "POST /settings/two-factor/setup 401",
      "GET /settings/two-factor/setup/:id 200",
      "POST /settings/two-factor/setup/:id 200",
      "GET /settings/recovery-codes 200",
      "GET /settings/two-factor/disable 200",
      "GET /login/two-factor 200",
      "POST /login/two-factor 400",
      "GET /login/recovery 200",
      "POST /login/recovery 400",
      "GET /no/such/page 404",
    ];
    for (const page of expected) assert.ok(browser.pages.has(page), `visited ${page}: ${[...browser.pages.keys()].join(", ")}`);
    // The disable form under this policy has both password fields, each labelled.
    assert.equal(browser.pages.get("GET /settings/two-factor/disable 200"), 2);
  });
});
