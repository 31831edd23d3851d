/**
 * Issue 8, item 9: one mapping from a failure to {status, field, message}.
 * The same failure answers the same status on the HTML pages and in the JSON
 * API (a malformed setup code used to be 401 on the pages and 400 in the API).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorCatalogue, errorMessage, fail, type ErrorCode } from "../../src/domain/errors.js";
import { failureAnswer } from "../../src/http/failure.js";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("one failure mapping for pages and API", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("failureAnswer takes status and message from the catalogue, and keeps the field", () => {
    for (const code of Object.keys(errorCatalogue) as ErrorCode[]) {
      assert.deepEqual(failureAnswer(fail(code)), { status: errorCatalogue[code].status, field: null, message: errorMessage(code) });
    }
    assert.deepEqual(failureAnswer(fail("invalid_code_format", { field: "code" })), { status: 400, field: "code", message: errorMessage("invalid_code_format") });
  });

  it("a malformed setup code: 400 on the page and in the API", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(user.email, password);
    const begun = await api.post("/api/me/two-factor/totp", { password }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const viaApi = await api.post(`/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: "12ab" }, token);

    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const methodPath = String(setup.headers.location);
    assert.match(methodPath, /^\/settings\/two-factor\/setup\/[^/]+$/);
    const viaPage = await browser.post(methodPath, { code: "12ab" }, { csrfFrom: methodPath });

    assert.equal(viaApi.body.code, "invalid_code_format");
    assert.equal(viaApi.status, 400);
    assert.equal(viaPage.statusCode, viaApi.status);
    assert.match(viaPage.body, /Enter the 6-digit code/);
  });

  it("a wrong password, then locked out: the same statuses on the page and in the API", async () => {
    const { user } = await seedUser(t.deps, { kind: "reseller" });
    const api = new ApiClient(t.app, "198.51.100.40");
    const browser = new FormClient(t.app);
    const viaApi = await api.post("/api/login", { email: user.email, password: "not the password" });
    const viaPage = await browser.post("/login", { email: user.email, password: "not the password" }, { csrfFrom: "/login" });
    assert.equal(viaApi.body.code, "invalid_credentials");
    assert.equal(viaApi.status, 401);
    assert.equal(viaPage.statusCode, viaApi.status);

    // Keep guessing until the API says locked_out (the password throttle), then the page says the same.
    let locked = viaApi;
    for (let guess = 0; guess < 40 && locked.body.code !== "locked_out"; guess++) locked = await api.post("/api/login", { email: user.email, password: "still not it" });
    assert.equal(locked.body.code, "locked_out");
    assert.equal(locked.status, 429);
    const lockedPage = await browser.post("/login", { email: user.email, password: "still not it" }, { csrfFrom: "/login" });
    assert.equal(lockedPage.statusCode, 429);
    assert.match(lockedPage.body, /Too many failed attempts/);
  });
});
