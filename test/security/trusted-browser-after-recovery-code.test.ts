/**
 * Threat: a recovery code turned into a lasting bypass. Someone holding one
 * stolen recovery code logs in once with it; were they offered "Don't ask
 * again", that one code would become weeks of logins without a second
 * factor. A recovery-code login never remembers a browser: the pages offer no
 * box there and refuse one, the API refuses the field, and nothing is stored (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { passwordStep, trustedCookieOf } from "../helpers/trusted-browser.js";

describe("security: no trusted browser from a recovery-code login", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("pages: the recovery form has no box, a forged one is refused, and a recovery login stores nothing", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    await passwordStep(browser, enrolled.user.email, enrolled.password);
    assert.doesNotMatch((await browser.get("/login/recovery")).body, /rememberBrowser/);
    const forged = await browser.post("/login/recovery", { code: enrolled.recoveryCodes[0]!, rememberBrowser: "yes" }, { csrfFrom: "/login/recovery" });
    assert.equal(forged.statusCode, 400);
    const done = await browser.post("/login/recovery", { code: enrolled.recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
    assert.equal(done.statusCode, 303, done.body);
    assert.equal(trustedCookieOf(done), undefined);
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
  });

  it("API: rememberBrowser on the recovery-code step is refused, and the login remembers nothing", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const api = new ApiClient(t.app);
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    assertApiError(await api.post("/api/login/recovery-code", { flowId, code: enrolled.recoveryCodes[1]!, rememberBrowser: true }), 400, "unknown_field", "rememberBrowser");
    const done = await api.post("/api/login/recovery-code", { flowId, code: enrolled.recoveryCodes[1]! });
    assert.equal(done.status, 200, done.raw.body);
    assert.equal(trustedCookieOf(done.raw), undefined);
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
  });
});
