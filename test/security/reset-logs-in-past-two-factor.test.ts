/**
 * Threat: a password reset that logs a 2FA user straight in (flask-security
 * #258, Lemmy #3714, Drupal TFA SA-CONTRIB-2023-030; SECURITY 31). The reset
 * must hand over to the login machine like a password does: no session for
 * a user with 2FA, for every method type (an SMS default gets its code), on
 * the pages and the API; 2FA stays on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

describe("a reset never logs a 2FA user in", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function sessionCount(userId: string) {
    const rows = await t.database.db.selectFrom("sessions").select("id").where("user_id", "=", userId).where("revoked_at", "is", null).execute();
    return rows.length;
  }

  it("API: no sessionToken, no session row, no login.succeeded; the flow opens only the second step", async () => {
    const enrolled = await enrolTotp(t.deps);
    const api = new ApiClient(t.app);
    await api.post("/api/password-reset/request", { email: enrolled.user.email });
    const done = await api.post("/api/password-reset/complete", { token: (await resetLinkFor(t.deps, enrolled.user.email)).token, newPassword: "a brand new password 42" });
    assert.equal(done.body.status, "second_factor_required");
    assert.equal(done.body.sessionToken, undefined);
    assert.equal(await sessionCount(enrolled.user.id), 0, "the setup session ended, no new one exists");
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 50 });
    assert.ok(!events.some((event) => event.type === "login.succeeded" && event.detail.factor === "password_reset"));
    for (const token of [done.body.flowId, done.body.flowToken].filter(Boolean)) {
      assert.equal((await api.get("/api/me/methods", token)).status, 401, "the flow id is no session");
    }
    const wrong = await api.post("/api/login/second-factor", { flowId: done.body.flowId, code: "000000" });
    assert.equal(wrong.status, 401, "the second step still asks for a right code");
    assert.equal((await t.deps.store.methods.listMethods(enrolled.user.id)).filter((method) => method.status === "active").length, 1);
  });

  it("pages: no session cookie, and every signed-in page sends the browser away", async () => {
    const enrolled = await enrolTotp(t.deps);
    const browser = new FormClient(t.app);
    await browser.post("/login/forgot", { email: enrolled.user.email }, { csrfFrom: "/login/forgot" });
    const { token } = await resetLinkFor(t.deps, enrolled.user.email);
    await browser.get(`/login/reset?token=${token}`);
    const done = await browser.post("/login/reset", { token, newPassword: "a brand new password 42", confirmPassword: "a brand new password 42" }, { csrf: await browser.csrfFor() });
    assert.equal(done.headers.location, "/login/two-factor");
    assert.ok(!browser.cookies.has("twostep_session"));
    for (const path of ["/settings/security", "/settings/methods", "/settings/two-factor/totp"]) {
      const page = await browser.get(path);
      assert.notEqual(page.statusCode, 200, path);
    }
    assert.equal(await sessionCount(enrolled.user.id), 0);
  });
});
