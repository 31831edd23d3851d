import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, nextCode, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";

/**
 * The attack: a session stolen (or a laptop left unlocked) well after its
 * login. With the password too (phished, reused), the thief tried to turn 2FA
 * off, make new recovery codes, add their own SMS number or app, make another
 * method the default, rename one to mislead, delete one. Every change to 2FA
 * settings needs a second factor within the step-up window (SECURITY 17, 29):
 * each is refused with step_up_required and nothing changes; after "Confirm
 * it's you" with a current code they work. Delete and reset ask for a current
 * code of that very method, which is a second factor right now.
 */
const stale = 11 * 60; // past the default 10-minute window

describe("a stolen, older session cannot change 2FA settings", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  /** PATCH /api/me/methods/:id (the client has no PATCH helper). */
  async function rename(methodId: string, name: string, token: string) {
    const raw = await t.app.inject({ method: "PATCH", url: `/api/me/methods/${methodId}`, payload: JSON.stringify({ name }), headers: { "content-type": "application/json", authorization: `Bearer ${token}` } });
    return { status: raw.statusCode, body: JSON.parse(raw.body || "{}"), headers: raw.headers, raw };
  }

  async function totpUser() {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    const totp = await api.enrolTotp(token, password, t.clock);
    return { user, password, token, totp };
  }

  it("API: every change is refused with step_up_required and writes nothing; POST /api/me/step-up with a code opens the window", async () => {
    const { user, password, token, totp } = await totpUser();
    t.clock.advance(stale);
    const attempts = [
      () => api.post("/api/me/two-factor/disable", { password }, token),
      () => api.post("/api/me/recovery-codes", { password }, token),
      () => api.post("/api/me/two-factor/sms", { password, phoneNumber: "+447400123456" }, token),
      () => api.post(`/api/me/methods/${totp.methodId}/default`, undefined, token),
      () => rename(totp.methodId, "Thief's phone", token),
    ];
    for (const attempt of attempts) {
      await assertChangesNothing(t, async () => assertApiError(await attempt(), 403, "step_up_required"));
    }
    // Delete and reset need a current code of the method: a guess is refused, the method stays.
    const guessed = await api.request("DELETE", `/api/me/methods/${totp.methodId}`, { json: { code: "000000" }, token });
    assert.equal(guessed.status, 401, guessed.raw.body);
    assert.equal((await api.get("/api/me/methods", token)).body.methods.length, 1);
    assert.equal((await api.get("/api/me/security", token)).body.twoFactorEnabled, true);

    const confirmed = await api.post("/api/me/step-up", { code: nextCode(totp.key, t.clock) }, token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
    assert.equal(confirmed.body.authenticatedAt, new Date(t.clock.now()).toISOString());
    const regenerated = await api.post("/api/me/recovery-codes", { password }, token);
    assert.equal(regenerated.status, 200, regenerated.raw.body);
    const renamed = await rename(totp.methodId, "Work phone", token);
    assert.equal(renamed.status, 200, renamed.raw.body);
    const events = (await api.get("/api/me/events", token)).body.events as { type: string; detail: Record<string, unknown> }[];
    assert.deepEqual(events.find((event) => event.type === "method.renamed")?.detail, { type: "totp", oldName: "Authenticator app", newName: "Work phone" });
    assert.ok(events.some((event) => event.type === "session.confirmed"));
    // SECURITY 30: disabling 2FA ends the user's other sessions (here: a second login), not this one.
    const flowId = await api.flowFor(user.email, password);
    const other = await api.post("/api/login/second-factor", { flowId, code: nextCode(totp.key, t.clock) });
    assert.equal(other.status, 200, other.raw.body);
    assert.equal((await api.get("/api/me/security", other.body.sessionToken)).status, 200);
    assert.equal((await api.post("/api/me/two-factor/disable", { password }, token)).status, 200);
    assert.equal((await api.get("/api/me/security", other.body.sessionToken)).status, 401, "the other session ended");
    assert.equal((await api.get("/api/me/security", token)).status, 200, "this session stays");
  });

  it("API: adding an authenticator app to an SMS user is refused too", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    t.clock.advance(3600); // a new hour for the SMS send limits
    const begun = await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+447400123456" }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const [text] = await t.deps.store.outbox.listOutboxMessages(1);
    const confirmed = await api.post(`/api/me/two-factor/sms/${begun.body.methodId}/confirm`, { code: /#(\d{6})$/.exec(text!.body)![1] }, token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
    t.clock.advance(stale);
    await assertChangesNothing(t, async () => assertApiError(await api.post("/api/me/two-factor/totp", { password }, token), 403, "step_up_required"));
  });

  it("API: a current code of the method stands in for the window when deleting it", async () => {
    const { token, totp } = await totpUser();
    t.clock.advance(stale);
    const deleted = await api.request("DELETE", `/api/me/methods/${totp.methodId}`, { json: { code: nextCode(totp.key, t.clock) }, token });
    assert.equal(deleted.status, 200, deleted.raw.body);
  });

  it("pages: each form sends the user to /settings/confirm?next=<the form>; a code there lets the change through", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    let response = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(response.headers.location);
    const methodId = setupUrl.split("/").at(-1)!;
    const key = keyFromSetupPage((await browser.get(setupUrl)).body);
    response = await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });
    assert.equal(response.statusCode, 200);

    t.clock.advance(stale);
    const forms: [string, Record<string, string>, string, string?][] = [
      ["/settings/two-factor/disable", { password }, "/settings/two-factor/disable"],
      ["/settings/recovery-codes", { password }, "/settings/recovery-codes"],
      ["/settings/two-factor/sms", { password, phoneNumber: "+447400123456" }, "/settings/two-factor/sms"],
      [`/settings/methods/${methodId}/default`, {}, "/settings/security", "/settings/security"],
      [`/settings/methods/${methodId}/rename`, { name: "Thief" }, `/settings/methods/${methodId}/rename`],
    ];
    for (const [url, fields, next, csrfFrom] of forms) {
      await assertChangesNothing(t, async () => {
        const refused = await browser.post(url, fields, { csrfFrom: csrfFrom ?? (url.endsWith("/default") ? "/settings/security" : url) });
        assert.equal(refused.statusCode, 303, `${url}: ${refused.body.slice(0, 300)}`);
        assert.equal(refused.headers.location, `/settings/confirm?next=${encodeURIComponent(next)}`, url);
      });
    }

    response = await browser.get("/settings/confirm?next=%2Fsettings%2Ftwo-factor%2Fdisable");
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /For your security, confirm it's you before changing two-factor settings or acting on other users/);
    assert.match(response.body, /autocomplete="one-time-code"/);
    assert.match(response.body, /inputmode="numeric"/);
    assert.match(response.body, /<label for="field-code">/);
    response = await browser.post("/settings/confirm", { code: nextCode(key, t.clock), next: "/settings/two-factor/disable" }, { csrfFrom: "/settings/confirm" });
    assert.equal(response.statusCode, 303, response.body.slice(0, 300));
    assert.equal(response.headers.location, "/settings/two-factor/disable");
    response = await browser.post("/settings/two-factor/disable", { password }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(response.headers.location, "/settings/security?notice=two_factor_disabled");
  });

  it("pages: next must be a local path; anything else goes to /settings/security", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    for (const next of ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "settings"]) {
      // Without 2FA the password confirms (it is the strongest factor the account has).
      const response = await browser.post("/settings/confirm", { password, next }, { csrfFrom: "/settings/confirm" });
      assert.equal(response.statusCode, 303, next);
      assert.equal(response.headers.location, "/settings/security", next);
    }
    const page = await browser.get("/settings/confirm?next=//evil.example/");
    assert.ok(!page.body.includes("evil.example"), "the page does not carry a foreign next");
  });
});
