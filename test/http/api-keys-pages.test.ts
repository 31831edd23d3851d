/** API1 on the settings pages: list and create form (labelled), the key shown once, revoke after a confirmation page; stale step-up goes to confirm. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("pages: API keys", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function logIn(email: string, password: string, code?: () => string) {
    const browser = new FormClient(t.app);
    let response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
    if (response.headers.location === "/login/two-factor") response = await browser.post("/login/two-factor", { code: code!() }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");
    return browser;
  }

  it("lists keys with a labelled create form, shows a new key once, and revokes it after a confirmation", async () => {
    const enrolled = await enrolTotp(t.deps);
    const browser = await logIn(enrolled.user.email, enrolled.password, () => nextCode(enrolled.keyBase32, t.clock));
    const empty = await browser.get("/settings/api-keys");
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /You have no API keys yet/);
    assert.match(empty.body, /<label for="field-name">Name<\/label>/);
    assert.match(empty.body, /<label for="field-expiresInDays">Expires in<\/label>\s*<select id="field-expiresInDays" name="expiresInDays">/);
    for (const days of ["30", "90", "365"]) assert.match(empty.body, new RegExp(`<option value="${days}"`));

    const bad = await browser.post("/settings/api-keys", { name: "", expiresInDays: "90" }, { csrfFrom: "/settings/api-keys" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<p class="error" id="field-name-error" role="alert">Give the key a name/);
    assert.equal((await browser.post("/settings/api-keys", { name: "x", expiresInDays: "90" }, { csrf: null })).statusCode, 403, "CSRF checked");

    const created = await browser.post("/settings/api-keys", { name: "Billing sync", expiresInDays: "30" }, { csrfFrom: "/settings/api-keys" });
    assert.equal(created.statusCode, 200);
    assert.match(created.body, /Copy this key now; it will not be shown again/);
    const key = /value="(tsk_[^"]+)"/.exec(created.body)?.[1];
    assert.ok(key);
    assert.equal((await new ApiClient(t.app).get("/api/platform/v1/me", key)).status, 200);

    const list = await browser.get("/settings/api-keys");
    assert.ok(!list.body.includes(key), "never shown again");
    assert.match(list.body, /<th scope="row">Billing sync<\/th>/);
    assert.ok(list.body.includes(`${key.slice(0, 12)}…${key.slice(-4)}`));
    const id = /href="\/settings\/api-keys\/([^/]+)\/revoke"/.exec(list.body)?.[1];
    assert.ok(id);
    const confirm = await browser.get(`/settings/api-keys/${id}/revoke`);
    assert.match(confirm.body, /stops working at once/);
    assert.equal((await browser.post(`/settings/api-keys/${id}/revoke`, {}, { csrf: null })).statusCode, 403);
    const revoked = await browser.post(`/settings/api-keys/${id}/revoke`, {}, { csrfFrom: `/settings/api-keys/${id}/revoke` });
    assert.equal(revoked.headers.location, "/settings/api-keys?notice=api_key_revoked");
    assert.match((await browser.get("/settings/api-keys?notice=api_key_revoked")).body, /The API key is revoked/);
    assert.equal((await new ApiClient(t.app).get("/api/platform/v1/me", key)).status, 401);
  });

  it("a 2FA user whose second factor is stale is sent to confirm it's them; a user without 2FA creates a key directly", async () => {
    const enrolled = await enrolTotp(t.deps);
    const browser = await logIn(enrolled.user.email, enrolled.password, () => nextCode(enrolled.keyBase32, t.clock));
    const csrf = await browser.csrfFor("/settings/api-keys");
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);
    const stale = await browser.post("/settings/api-keys", { name: "late", expiresInDays: "90" }, { csrf });
    assert.equal(stale.statusCode, 303);
    assert.equal(stale.headers.location, "/settings/confirm?next=/settings/api-keys");
    assert.equal((await t.deps.store.apiKeys.listUserApiKeys(enrolled.user.id)).length, 0);

    const plain = await seedUser(t.deps);
    const other = await logIn(plain.user.email, plain.password);
    const created = await other.post("/settings/api-keys", { name: "cron", expiresInDays: "365" }, { csrfFrom: "/settings/api-keys" });
    assert.equal(created.statusCode, 200);
    assert.match(created.body, /Your new API key/);
  });
});
