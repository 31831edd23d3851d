/**
 * P1 with a security key: a policy that requires 2FA (dated yesterday) and
 * allows only phishing-resistant methods takes a user without 2FA from the
 * password to adding a key, at login, through pages and the API; the key's
 * answer must be to this login's challenge; the next login uses the key.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { keyLoginStart, optionsIn, testOrigin } from "../helpers/security-keys.js";
import { createSoftAuthenticator } from "../helpers/soft-authenticator.js";
import { recoveryCodesFromPage } from "../helpers/totp.js";

const day = 24 * 60 * 60 * 1000;

describe("mandatory 2FA (P1) with security keys only", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const keysOnly = () => seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - day, allowedMethods: ["webauthn"] } });

  it("pages: the enrolment page offers only a key, in the key's words; name and prompt → recovery codes → session", async () => {
    const { user, password } = await keysOnly();
    const browser = new FormClient(t.app);
    let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/enrol");
    response = await browser.get("/login/enrol");
    assert.match(response.body, /You will need a security key \(such as a YubiKey\) or a passkey on your phone or computer\./);
    assert.match(response.body, /<a class="button primary" href="\/login\/enrol\/security-key">Add a security key or passkey<\/a>/);
    assert.doesNotMatch(response.body, /authenticator app|SMS/);

    const key = createSoftAuthenticator({ origin: testOrigin });
    const page = await browser.get("/login/enrol/security-key");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label[^>]*for="field-name"[^>]*>Name of the key/);
    const credential = JSON.stringify(key.register(optionsIn(page.body)));
    const csrf = await browser.csrfFor();
    response = await browser.post("/login/enrol/security-key", { name: "", credential }, { csrf });
    assert.equal(response.statusCode, 400, "a key needs a name");
    assert.match(response.body, /id="field-name-error"/);

    const retry = optionsIn(response.body);
    response = await browser.post("/login/enrol/security-key", { name: "YubiKey 5C", credential: JSON.stringify(key.register(retry)) }, { csrf: await browser.csrfFor() });
    assert.equal(response.statusCode, 200, response.body.slice(0, 400));
    assert.equal(recoveryCodesFromPage(response.body).length, 10);
    assert.equal(browser.cookies.has("twostep_session"), false, "no session while the codes are on screen");
    response = await browser.post("/login/enrol/continue", {}, { csrf: await browser.csrfFor() });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_enabled");
    const security = await browser.get("/settings/security");
    assert.match(security.body, /YubiKey 5C/);

    const next = await keyLoginStart(t.app, { user, password });
    const login = await new ApiClient(t.app).post("/api/login/second-factor", { flowId: next.flowId, credential: key.authenticate(next.options) });
    assert.equal(login.status, 200, login.raw.body);
  });

  it("API: options for this login, the answer with a name → codes and session; an answer to another login's challenge is refused", async () => {
    const { user, password } = await keysOnly();
    const api = new ApiClient(t.app);
    const start = async () => {
      const login = await api.post("/api/login", { email: user.email, password });
      assert.equal(login.body.status, "enrolment_required", login.raw.body);
      assert.deepEqual(login.body.allowedMethods, ["webauthn"]);
      return login.body.flowId as string;
    };
    const flowId = await start();
    const otherFlowId = await start();
    assert.equal((await api.post("/api/login/enrol/totp", { flowId })).body.code, "method_not_allowed_by_policy");
    const key = createSoftAuthenticator({ origin: testOrigin });
    const options = await api.post("/api/login/enrol/security-key/options", { flowId });
    assert.equal(options.status, 200, options.raw.body);
    const otherOptions = await api.post("/api/login/enrol/security-key/options", { flowId: otherFlowId });

    const crossed = await api.post("/api/login/enrol/security-key", { flowId, name: "Laptop", credential: key.register(otherOptions.body.webauthnOptions) });
    assert.equal(crossed.status, 401, crossed.raw.body);
    assert.equal(crossed.body.code, "security_key_not_accepted");
    assert.equal((await t.deps.store.methods.listMethods(user.id)).filter((method) => method.status === "active").length, 0, "refused: nothing added");

    const junk = await api.post("/api/login/enrol/security-key", { flowId, name: "Laptop", credential: { id: "x", rawId: "x", type: "public-key", response: {} } });
    assert.equal(junk.status, 400);
    assert.equal(junk.body.field, "credential");

    const done = await api.post("/api/login/enrol/security-key", { flowId, name: "Laptop", credential: key.register(options.body.webauthnOptions) });
    assert.equal(done.status, 200, done.raw.body);
    assert.equal(done.body.status, "authenticated");
    assert.equal(done.body.recoveryCodes.length, 10);
    const security = await api.get("/api/me/security", done.body.sessionToken);
    assert.equal(security.body.twoFactorEnabled, true);
    assert.deepEqual(security.body.methods.map((method: { type: string; name: string }) => [method.type, method.name]), [["webauthn", "Laptop"]]);
  });
});
