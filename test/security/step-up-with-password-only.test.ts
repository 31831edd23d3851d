import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/**
 * The attack: a thief with a stolen session and the (phished, reused) password
 * tries to pass "Confirm it's you" with the password alone. With 2FA on only a
 * current code of one of the user's methods opens the step-up window
 * (SECURITY 17: the strongest level the account has); the window stays shut
 * and the 2FA changes stay refused. With 2FA off the password is that level.
 */
describe("step-up with the password only", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("API: with 2FA on a password does not satisfy step-up", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    await api.enrolTotp(token, password, t.clock);
    t.clock.advance(11 * 60);

    assertApiError(await api.post("/api/me/step-up", { password }, token), 400, "invalid_code_format", "code");
    assertApiError(await api.post("/api/me/step-up", { password, code: "" }, token), 400, "invalid_code_format", "code");
    assertApiError(await api.post("/api/me/two-factor/disable", { password }, token), 403, "step_up_required");
    assert.equal((await api.get("/api/me/security", token)).body.twoFactorEnabled, true);
  });

  it("pages: the confirm form asks for a code, and a password posted anyway is refused", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    const { key } = await api.enrolTotp(token, password, t.clock);
    const browser = new FormClient(t.app);
    t.clock.advance(30);
    // A page login needs the second step; the API enrolment above already set the app up.
    const flow = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(flow.headers.location, "/login/two-factor");
    const login = await browser.post("/login/two-factor", { code: codeFor(key, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(login.statusCode, 303, login.body.slice(0, 300));
    t.clock.advance(11 * 60);

    const page = await browser.get("/settings/confirm?next=/settings/two-factor/disable");
    assert.match(page.body, /name="code"/);
    assert.doesNotMatch(page.body, /name="password"/, "with 2FA on the confirm page offers no password field");
    const refused = await browser.post("/settings/confirm", { password, next: "/settings/two-factor/disable" }, { csrfFrom: "/settings/confirm" });
    assert.equal(refused.statusCode, 400, refused.body.slice(0, 300)); // the same answer as the API: invalid_code_format on "code"
    assert.match(refused.body, /field-code-error/, "the error is shown next to the code field");
    const again = await browser.post("/settings/two-factor/disable", { password }, { csrfFrom: "/settings/two-factor/disable" });
    assert.equal(again.headers.location, "/settings/confirm?next=%2Fsettings%2Ftwo-factor%2Fdisable");
  });

  it("with 2FA off the password confirms (it is the strongest factor there)", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    t.clock.advance(11 * 60);
    assertApiError(await api.post("/api/me/step-up", { password: "not the password" }, token), 401, "password_incorrect", "password");
    const confirmed = await api.post("/api/me/step-up", { password }, token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
  });
});
