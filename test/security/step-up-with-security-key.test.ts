/**
 * Threat: "Confirm it's you" (SECURITY 17, 29) passed with a security key's
 * assertion that is not a fresh answer to a challenge issued for this very
 * session: one captured and replayed, one made for a login's challenge, one
 * made on another origin. And the opposite failure: a user whose only methods
 * are keys must be able to confirm with a key, or they could never add or
 * remove a key, or act on others, outside the window after login.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { apiGet, apiPost } from "../helpers/enrol.js";
import { codeFor } from "../helpers/totp.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { keyLoginStart, optionsIn, userWithKey } from "../helpers/security-keys.js";

describe("security: step-up with a security key takes only a fresh assertion for this session", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const options = async (token: string) => {
    const started = await apiPost(t.app, "/api/me/step-up/options", {}, { token });
    assert.equal(started.statusCode, 200, started.body);
    return started.json().webauthnOptions as Record<string, unknown>;
  };
  const confirm = (token: string, credential: unknown) => apiPost(t.app, "/api/me/step-up", { credential }, { token });
  const refused = (response: { statusCode: number; json(): { code: string; field?: string } }) => {
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, "security_key_not_accepted");
  };
  const canAddAnotherKey = async (token: string) => (await apiPost(t.app, "/api/me/security-keys/options", {}, { token })).statusCode;

  it("a key-only user outside the window confirms with the key, and may then change keys; the assertion replayed is refused", async () => {
    const who = await userWithKey(t.app, t.deps);
    t.clock.advance(11 * 60);
    assert.equal(await canAddAnotherKey(who.sessionToken), 403, "outside the step-up window");
    const assertion = who.key.authenticate(await options(who.sessionToken));
    const passed = await confirm(who.sessionToken, assertion);
    assert.equal(passed.statusCode, 200, passed.body);
    assert.equal(await canAddAnotherKey(who.sessionToken), 200, "the window is open");

    t.clock.advance(11 * 60);
    await options(who.sessionToken);
    refused(await confirm(who.sessionToken, assertion));
    assert.equal(await canAddAnotherKey(who.sessionToken), 403, "a replay opens nothing");
  });

  it("refuses an assertion made for a login's challenge, for another session's, or on another origin", async () => {
    const who = await userWithKey(t.app, t.deps);
    t.clock.advance(11 * 60);
    const login = await keyLoginStart(t.app, who);
    await options(who.sessionToken);
    refused(await confirm(who.sessionToken, who.key.authenticate(login.options)));

    const junkAtLogin = await apiPost(t.app, "/api/login/second-factor", { flowId: (await keyLoginStart(t.app, who)).flowId, credential: null });
    assert.equal(junkAtLogin.statusCode, 400, "junk is refused by its shape");
    const second = await keyLoginStart(t.app, who);
    const secondToken = (await apiPost(t.app, "/api/login/second-factor", { flowId: second.flowId, credential: who.key.authenticate(second.options) })).json().sessionToken as string;
    t.clock.advance(11 * 60);
    const forSecond = await options(secondToken);
    await options(who.sessionToken);
    refused(await confirm(who.sessionToken, who.key.authenticate(forSecond)));

    refused(await confirm(who.sessionToken, who.key.authenticate(await options(who.sessionToken), { origin: "https://twostep-login.example" })));
    assert.equal(await canAddAnotherKey(who.sessionToken), 403);
  });

  it("junk in place of an assertion is a 400 naming the field; without a key there are no options", async () => {
    const who = await userWithKey(t.app, t.deps);
    const junk = await confirm(who.sessionToken, { id: "abc", rawId: "abc", type: "public-key", response: {} });
    assert.equal(junk.statusCode, 400, junk.body);
    assert.equal(junk.json().code, "invalid_security_key_response");
    assert.equal(junk.json().field, "credential");

    const plain = await userWithKey(t.app, t.deps);
    const removed = await t.app.inject({ method: "DELETE", url: `/api/me/methods/${plain.methodId}`, headers: { authorization: `Bearer ${plain.sessionToken}` }, payload: {} });
    assert.equal(removed.statusCode, 200, removed.body);
    const none = await apiPost(t.app, "/api/me/step-up/options", {}, { token: plain.sessionToken });
    assert.equal(none.statusCode, 400);
    assert.equal((await apiGet(t.app, "/api/me/security", { token: plain.sessionToken })).json().twoFactorEnabled, false);
  });

  it("pages: for a key-only user the confirm page starts the key's prompt and has no code field; the key's answer opens the window", async () => {
    const who = await userWithKey(t.app, t.deps);
    const browser = new FormClient(t.app);
    const flow = await browser.post("/login", { email: who.user.email, password: who.password }, { csrfFrom: "/login" });
    assert.equal(flow.headers.location, "/login/two-factor");
    const second = await browser.get("/login/two-factor");
    const login = await browser.post("/login/two-factor", { credential: JSON.stringify(who.key.authenticate(optionsIn(second.body))) }, { csrf: await browser.csrfFor() });
    assert.equal(login.statusCode, 303, login.body.slice(0, 300));
    assert.doesNotMatch(String(login.headers.location), /^\/login/, "logged in with the key");
    t.clock.advance(11 * 60);

    const page = await browser.get("/settings/confirm?next=/settings/security-keys/new");
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /name="code"/, "no code field: the user has no code to give");
    assert.match(page.body, /data-autostart="true"/);
    const answer = JSON.stringify(who.key.authenticate(optionsIn(page.body)));
    const confirmed = await browser.post("/settings/confirm", { credential: answer, next: "/settings/security-keys/new" }, { csrf: await browser.csrfFor() });
    assert.equal(confirmed.statusCode, 303, confirmed.body.slice(0, 300));
    assert.equal(confirmed.headers.location, "/settings/security-keys/new");

    t.clock.advance(11 * 60);
    const again = await browser.post("/settings/confirm", { credential: answer, next: "/settings/security" }, { csrfFrom: "/settings/security" });
    assert.equal(again.statusCode, 401);
    assert.match(again.body, /id="webauthn-status"[^>]*>[^<]*\S/, "the refusal is said beside the key's prompt");
  });

  it("pages: with an app as the default and a key beside it, the confirm page offers both and starts nothing by itself", async () => {
    const who = await userWithKey(t.app, t.deps);
    const { key: appKey } = await new ApiClient(t.app).enrolTotp(who.sessionToken, who.password, t.clock);
    const browser = new FormClient(t.app);
    t.clock.advance(30);
    const flow = await browser.post("/login", { email: who.user.email, password: who.password }, { csrfFrom: "/login" });
    assert.equal(flow.headers.location, "/login/two-factor");
    const login = await browser.post("/login/two-factor", { code: codeFor(appKey, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(login.statusCode, 303, login.body.slice(0, 300));
    t.clock.advance(11 * 60);

    const page = await browser.get("/settings/confirm?next=/settings/security");
    assert.match(page.body, /name="code"/, "the app's code");
    assert.match(page.body, /data-autostart="false"/, "the key waits for its button: the app is the default");
    assert.match(page.body, /Or enter a code instead/);
    t.clock.advance(30);
    const confirmed = await browser.post("/settings/confirm", { code: codeFor(appKey, t.clock.now()), next: "/settings/security" }, { csrf: await browser.csrfFor() });
    assert.equal(confirmed.statusCode, 303, confirmed.body.slice(0, 300));
  });
});
