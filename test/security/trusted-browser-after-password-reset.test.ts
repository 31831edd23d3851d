/**
 * Threat: a trusted browser outliving a password reset. The user resets a
 * password they fear is known; a browser remembered before (perhaps the
 * attacker's) must not log in with the new password alone. A reset forgets
 * every trusted browser of the user (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { loginStatusWith, rememberThroughApi } from "../helpers/trusted-browser.js";

describe("security: a trusted browser after a password reset", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("the reset forgets the browser: the new password with the old cookie gets the second step", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { token } = await rememberThroughApi(t.app, enrolled, t.clock);
    const api = new ApiClient(t.app);
    assert.equal((await api.post("/api/password-reset/request", { email: enrolled.user.email })).status, 202);
    const newPassword = "a brand new passphrase";
    const done = await api.post("/api/password-reset/complete", { token: (await resetLinkFor(t.deps, enrolled.user.email)).token, newPassword });
    assert.equal(done.status, 200, done.raw.body);
    assert.equal(done.body.status, "second_factor_required", "a reset never skips the second step");
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
    assert.equal(await loginStatusWith(t.app, { ...enrolled, password: newPassword }, token), "second_factor_required");
  });
});
