import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage, recoveryCodesFromPage } from "../helpers/totp.js";

/** M1, R1, L1–L3, D1 through the HTML pages, as a browser without JavaScript would. */
describe("pages: authenticator-app journey", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("enrols, logs out, logs in with a code and with a recovery code, and disables", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);

    let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/settings/security");

    response = await browser.get("/settings/security");
    assert.match(response.body, /Disabled/);
    assert.match(response.body, /Set up two-factor authentication/);

    response = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    assert.equal(response.statusCode, 303);
    const setupUrl = String(response.headers.location);
    response = await browser.get(setupUrl);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["cache-control"], "no-store");
    const key = keyFromSetupPage(response.body);
    assert.match(response.body, /autocomplete="one-time-code"/);
    assert.match(response.body, /inputmode="numeric"/);

    response = await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(response.statusCode, 200);
    const codes = recoveryCodesFromPage(response.body);
    assert.equal(codes.length, 10);
    assert.match(response.body, /Download/);

    response = await browser.get("/settings/security");
    assert.match(response.body, /Enabled/);
    assert.match(response.body, /10<\/strong> of 10 recovery codes unused/);

    response = await browser.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.equal(response.headers.location, "/login?notice=logged_out");

    // Log in with a code from the app (a later step than the one used to enrol).
    t.clock.advance(30);
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/two-factor");
    response = await browser.get("/settings/security");
    assert.equal(response.headers.location, "/login", "nothing but the second step is reachable before it is passed");
    response = await browser.post("/login/two-factor", { code: codeFor(key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/settings/security");
    response = await browser.get("/settings/security");
    assert.equal(response.statusCode, 200);

    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // Log in with a recovery code: `keep` policy (the default) keeps 2FA and recommends a reset.
    response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    response = await browser.post("/login/recovery", { code: codes[0]!.toLowerCase() }, { csrfFrom: "/login/recovery" });
    assert.equal(response.headers.location, "/settings/security");
    response = await browser.get("/settings/security");
    assert.match(response.body, /You logged in with a recovery code/);
    assert.match(response.body, /9<\/strong> of 10 recovery codes unused/);

    response = await browser.post("/settings/two-factor/disable", { password }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_disabled");
    response = await browser.get("/settings/security?notice=two_factor_disabled");
    assert.match(response.body, /Two-factor authentication is disabled/);
    assert.match(response.body, /Status: <strong class="status-off">Disabled/);
  });
});
