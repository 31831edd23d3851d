/**
 * Threat: step-up at the password level for a user who has a second factor.
 * A login on a trusted browser ("Don't ask again") passes the password
 * only, yet its session counted as freshly authenticated, so with that full
 * session and the password alone a thief (stolen laptop, stolen cookie) could
 * regenerate the recovery codes, turn 2FA off or add their own SMS number.
 * SECURITY 17: step-up asks for the strongest level the account has; for a
 * 2FA user that is a second factor (any of theirs). A trusted browser is
 * not one. Making another method the default and renaming one need the step-up
 * too, and a rename is in the event log with both names.
 * The same holds for a full login (password and code) once its window has
 * closed (TWOSTEP_STEP_UP_MINUTES later): every 2FA change, through the API and
 * the pages, wants a second factor again, never the password alone.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, nextCode, type ObservedTestApp } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { apiLoginWithCode } from "../helpers/enrol.js";
import { FormClient } from "../helpers/browser-client.js";
import { addKey, testOrigin } from "../helpers/security-keys.js";
import { createSoftAuthenticator } from "../helpers/soft-authenticator.js";
import { apiLoginWithCookie, logInWithCode, rememberThroughApi } from "../helpers/trusted-browser.js";
import { enrolSms, gbMobile, oneCodeDuring } from "../helpers/sms.js";

describe("security: step-up with the password only, for a user with 2FA", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a trusted-browser login (password only) opens no step-up window: 2FA changes want a second factor", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer", policy: { allowedMethods: ["totp", "sms", "webauthn"] } });
    const { token: browserToken } = await rememberThroughApi(t.app, enrolled, t.clock);
    t.clock.advance(30);
    const login = await apiLoginWithCookie(t.app, enrolled, browserToken);
    assert.equal(login.body.status, "authenticated", login.raw.body);
    const session = login.body.sessionToken as string;
    const { password } = enrolled;

    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/me/recovery-codes", { password }, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/two-factor/disable", { password }, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: gbMobile(4) }, session), 403, "step_up_required");
      assertApiError(await api.request("PATCH", `/api/me/methods/${enrolled.methodId}`, { json: { name: "Renamed" }, token: session }), 403, "step_up_required");
      assertApiError(await api.post(`/api/me/methods/${enrolled.methodId}/default`, undefined, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/step-up", { password }, session), 400, "invalid_code_format", "code");
    });

    // A second factor of theirs opens the window; then the changes go through.
    assert.equal((await api.post("/api/me/step-up", { code: nextCode(enrolled.keyBase32, t.clock) }, session)).status, 200);
    const renamed = await api.request("PATCH", `/api/me/methods/${enrolled.methodId}`, { json: { name: "Work phone app" }, token: session });
    assert.equal(renamed.status, 200, renamed.raw.body);
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 50 });
    const rename = events.find((event) => event.type === "method.renamed");
    assert.ok(rename, "the rename is in the event log");
    assert.equal(rename.detail.newName, "Work phone app");
    assert.equal((await api.post("/api/me/recovery-codes", { password }, session)).status, 200);
  });

  /**
   * A 2FA user (an app, and a key added while the login's window was open) with a full API
   * session, and a full page login in `browser` if given, whose windows have closed.
   */
  async function staleFullSession(browser?: FormClient) {
    const enrolled = await enrolTotp(t.deps, { kind: "customer", policy: { allowedMethods: ["totp", "sms", "webauthn"] } });
    const session = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, nextCode(enrolled.keyBase32, t.clock));
    const keyId = await addKey(t.app, session, createSoftAuthenticator({ origin: testOrigin }), {});
    // Adding the key ended the user's other sessions; the app is the default again for the page login.
    assert.equal((await api.post(`/api/me/methods/${enrolled.methodId}/default`, undefined, session)).status, 200);
    if (browser) {
      const login = await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: false });
      assert.equal(login.statusCode, 303, login.body.slice(0, 300));
    }
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);
    return { ...enrolled, session, keyId };
  }

  it("API: a full login past its window takes no password alone for any 2FA change; a code of theirs reopens it", async () => {
    const { session, password, methodId, keyId, keyBase32 } = await staleFullSession();
    const smsOnly = await enrolSms(t.deps, { phone: gbMobile(5), kind: "customer", policy: { allowedMethods: ["totp", "sms", "webauthn"] } });
    const { result: smsLogin, code } = await oneCodeDuring(t.deps, () => api.post("/api/login", { email: smsOnly.user.email, password: smsOnly.password }), smsOnly.phone);
    const smsSession = (await api.post("/api/login/second-factor", { flowId: smsLogin.body.flowId, code })).body.sessionToken as string;
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);

    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/me/recovery-codes", { password }, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/two-factor/disable", { password }, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/two-factor/sms", { password, phoneNumber: gbMobile(6) }, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/two-factor/totp", { password }, smsSession), 403, "step_up_required");
      assertApiError(await api.post("/api/me/security-keys/options", { password }, session), 403, "step_up_required");
      assertApiError(await api.request("DELETE", `/api/me/methods/${keyId}`, { json: {}, token: session }), 403, "step_up_required");
      assertApiError(await api.request("PATCH", `/api/me/methods/${methodId}`, { json: { name: "Renamed" }, token: session }), 403, "step_up_required");
      assertApiError(await api.post(`/api/me/methods/${keyId}/default`, undefined, session), 403, "step_up_required");
      assertApiError(await api.post("/api/me/step-up", { password }, session), 400, "invalid_code_format", "code");
    });

    assert.equal((await api.post("/api/me/step-up", { code: nextCode(keyBase32, t.clock) }, session)).status, 200);
    assert.equal((await api.post(`/api/me/methods/${keyId}/default`, undefined, session)).status, 200);
    assert.equal((await api.post("/api/me/recovery-codes", { password }, session)).status, 200);
  });

  it("pages: a full login past its window is sent to \"Confirm it's you\" for every 2FA change, whatever password it posts", async () => {
    const browser = new FormClient(t.app);
    const { password, methodId, keyId } = await staleFullSession(browser);
    const smsOnly = await enrolSms(t.deps, { phone: gbMobile(7), kind: "customer", policy: { allowedMethods: ["totp", "sms", "webauthn"] } });
    const smsBrowser = new FormClient(t.app);
    const { code } = await oneCodeDuring(t.deps, () => smsBrowser.post("/login", { email: smsOnly.user.email, password: smsOnly.password }, { csrfFrom: "/login" }), smsOnly.phone);
    assert.equal((await smsBrowser.post("/login/two-factor", { code }, { csrfFrom: "/login/two-factor" })).statusCode, 303);
    const csrf = await browser.csrfFor("/settings/security");
    const smsCsrf = await smsBrowser.csrfFor("/settings/security");
    t.clock.advance((t.deps.config.stepUpMinutes + 1) * 60);

    const confirm = (next: string) => `/settings/confirm?next=${encodeURIComponent(next)}`;
    await assertChangesNothing(t, async () => {
      const refusals: [FormClient, string, Record<string, string>, string][] = [
        [browser, "/settings/recovery-codes", { password }, "/settings/recovery-codes"],
        [browser, "/settings/two-factor/disable", { password }, "/settings/two-factor/disable"],
        [browser, "/settings/two-factor/sms", { password, phoneNumber: gbMobile(8) }, "/settings/two-factor/sms"],
        [smsBrowser, "/settings/two-factor/setup", { password: smsOnly.password }, "/settings/two-factor/setup"],
        [browser, "/settings/security-keys/new", { password }, "/settings/security-keys/new"],
        [browser, `/settings/methods/${keyId}/delete`, {}, `/settings/methods/${keyId}/delete`],
        [browser, `/settings/methods/${methodId}/rename`, { name: "Renamed" }, `/settings/methods/${methodId}/rename`],
        [browser, `/settings/methods/${keyId}/default`, {}, "/settings/security"],
      ];
      for (const [client, url, fields, next] of refusals) {
        const response = await client.post(url, fields, { csrf: client === browser ? csrf : smsCsrf });
        assert.equal(response.statusCode, 303, `${url}: ${response.body.slice(0, 200)}`);
        assert.equal(response.headers.location, confirm(next), url);
      }
      assert.equal((await browser.get("/settings/security-keys/new")).headers.location, confirm("/settings/security-keys/new"));
      assert.equal((await browser.get(`/settings/methods/${keyId}/delete`)).headers.location, confirm(`/settings/methods/${keyId}/delete`));
    });
    const refused = await browser.post("/settings/confirm", { password, next: "/settings/recovery-codes" }, { csrf });
    assert.equal(refused.statusCode, 400, "the confirm page takes a code, not the password");
  });
});
