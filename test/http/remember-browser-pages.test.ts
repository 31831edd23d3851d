/**
 * L7 "Remember this browser" through the pages: the box on the second step
 * where policy allows (storefront customers, 30 days) and not where it does
 * not (reseller users); the cookie (HttpOnly, SameSite=Lax, path /, the days);
 * the next login of this browser skips the second step, another browser does
 * not; an email tells the user.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { logInWithCode, passwordStep, trustedCookie, trustedCookieOf } from "../helpers/trusted-browser.js";

describe("pages: remember this browser (L7)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("a customer ticks the box: the cookie is set, the next login of this browser skips the second step, another browser does not", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    assert.match(await passwordStep(browser, enrolled.user.email, enrolled.password), /^\/login\/two-factor/);
    const page = await browser.get("/login/two-factor");
    assert.match(page.body, /<input type="checkbox" id="field-rememberBrowser" name="rememberBrowser" value="yes">\s*<label for="field-rememberBrowser">Don't ask again on this browser for 30 days<\/label>/);

    const done = await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    assert.equal(done.headers.location, "/settings/security");
    const cookie = trustedCookieOf(done);
    assert.ok(cookie, "the trusted-browser cookie is set");
    assert.deepEqual({ path: cookie.path, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, maxAge: cookie.maxAge }, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 30 * 86_400 });
    const [stored] = await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now());
    assert.ok(stored);
    assert.notEqual(stored.tokenHash, cookie.value, "only the hash is stored");
    assert.equal(stored.expiresAt, t.clock.now() + 30 * 86_400_000);

    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.equal(await passwordStep(browser, enrolled.user.email, enrolled.password), "/settings/security", "the second step is skipped");
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 20 });
    assert.ok(events.some((event) => event.type === "browser.remembered" && event.detail.days === 30));
    assert.ok(events.some((event) => event.type === "browser.remembered_login"));
    const email = (await t.deps.store.messages.listMessages(10_000)).find((message) => message.recipient === enrolled.user.email && message.kind === "browser_remembered");
    assert.ok(email, "an email says a browser was remembered");
    assert.match(email.textBody, /for 30 days it logs in to your account with the password alone/);

    const other = new FormClient(t.app, "203.0.113.77");
    assert.match(await passwordStep(other, enrolled.user.email, enrolled.password), /^\/login\/two-factor/, "another browser still gets the second step");
  });

  it("without the box ticked nothing is remembered", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    const done = await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: false });
    assert.equal(done.headers.location, "/settings/security");
    assert.equal(trustedCookieOf(done), undefined);
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
  });

  it("a reseller user is not offered the box, and a forged tick remembers nothing", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "reseller" });
    const browser = new FormClient(t.app);
    await passwordStep(browser, enrolled.user.email, enrolled.password);
    assert.doesNotMatch((await browser.get("/login/two-factor")).body, /rememberBrowser/);
    browser.cookies.delete(trustedCookie);
    await browser.post("/logout", {}, { csrf: null });
    const fresh = new FormClient(t.app);
    const done = await logInWithCode(fresh, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    assert.equal(done.headers.location, "/settings/security");
    assert.equal(trustedCookieOf(done), undefined);
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
  });

  it("the security page lists trusted browsers with Forget and Forget all", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    const second = new FormClient(t.app);
    await logInWithCode(second, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    let page = (await browser.get("/settings/security")).body;
    assert.match(page, /<h2 id="browsers-heading">Remembered browsers<\/h2>/);
    const ids = [...page.matchAll(/action="\/settings\/browsers\/([A-Za-z0-9_-]{43})\/forget"/g)].map((match) => match[1]!);
    assert.equal(ids.length, 2);
    for (const cookie of [browser.cookies.get(trustedCookie), second.cookies.get(trustedCookie)]) assert.ok(cookie && !page.includes(cookie), "no token on the page");

    const forgot = await browser.post(`/settings/browsers/${ids[0]}/forget`, {}, { csrfFrom: "/settings/security" });
    assert.equal(forgot.headers.location, "/settings/security?notice=browser_forgotten");
    assert.equal((await browser.post(`/settings/browsers/${ids[0]}/forget`, {}, { csrf: null })).statusCode, 403, "CSRF on the form");
    page = (await browser.get("/settings/security")).body;
    assert.equal([...page.matchAll(/\/settings\/browsers\/[A-Za-z0-9_-]{43}\/forget/g)].length, 1);
    const all = await browser.post("/settings/browsers/forget-all", {}, { csrfFrom: "/settings/security" });
    assert.equal(all.headers.location, "/settings/security?notice=browsers_forgotten");
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.match(await passwordStep(browser, enrolled.user.email, enrolled.password), /^\/login\/two-factor/, "forgotten: the second step again");
  });

  it("a wrong code keeps the box as the user left it", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    await passwordStep(browser, enrolled.user.email, enrolled.password);
    const page = await browser.get("/login/two-factor");
    const methodId = /name="methodId" value="([^"]+)"/.exec(page.body)![1]!;
    const wrong = await browser.post("/login/two-factor", { code: "000000", methodId, rememberBrowser: "yes" }, { csrfFrom: "/login/two-factor" });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /name="rememberBrowser" value="yes" checked>/);
  });
});
