/**
 * Threat: step-up at the password level for a user who has a second factor.
 * A login on a remembered browser ("Don't ask again") passes the password
 * only, yet its session counted as freshly authenticated, so with that full
 * session and the password alone a thief (stolen laptop, stolen cookie) could
 * regenerate the recovery codes, turn 2FA off or add their own SMS number.
 * SECURITY 17: step-up asks for the strongest level the account has; for a
 * 2FA user that is a second factor (any of theirs). A remembered browser is
 * not one. Making another method the default and renaming one need the step-up
 * too, and a rename is in the event log with both names.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, nextCode, type ObservedTestApp } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { apiLoginWithCookie, rememberThroughApi } from "../helpers/trusted-browser.js";
import { gbMobile } from "../helpers/sms.js";

describe("security: step-up with the password only, for a user with 2FA", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a remembered-browser login (password only) opens no step-up window: 2FA changes want a second factor", async () => {
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
});
