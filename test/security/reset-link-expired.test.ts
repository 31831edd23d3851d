/**
 * Threat: an old reset link still working (SECURITY 31: reset tokens expire).
 * 30 minutes by default (TWOSTEP_PASSWORD_RESET_TTL_SECONDS), configurable.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("a reset link expires", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("works 1 s before 30 minutes and is refused at 30 minutes, on the page and the API, changing nothing", async () => {
    const api = new ApiClient(t.app);
    const early = await seedUser(t.deps);
    const late = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: early.user.email });
    await api.post("/api/password-reset/request", { email: late.user.email });
    const earlyLink = await resetLinkFor(t.deps, early.user.email);
    const lateLink = await resetLinkFor(t.deps, late.user.email);
    t.clock.advance(30 * 60 - 1);
    assert.equal((await api.post("/api/password-reset/complete", { token: earlyLink.token, newPassword: "a new password in time" })).status, 200);
    t.clock.advance(1);
    const page = await new FormClient(t.app).get(`/login/reset?token=${lateLink.token}`);
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /has expired/);
    const refused = await api.post("/api/password-reset/complete", { token: lateLink.token, newPassword: "a new password too late" });
    assert.deepEqual([refused.status, refused.body.code], [400, "reset_link_invalid"]);
    assert.ok(await t.deps.passwords.verify((await t.deps.store.accounts.findUserById(late.user.id))!.passwordHash, late.password), "the password did not change");
  });

  it("takes its lifetime from TWOSTEP_PASSWORD_RESET_TTL_SECONDS", async () => {
    const short = await createTestApp({ env: { TWOSTEP_PASSWORD_RESET_TTL_SECONDS: "600" } });
    try {
      const api = new ApiClient(short.app);
      const { user } = await seedUser(short.deps);
      await api.post("/api/password-reset/request", { email: user.email });
      const link = await resetLinkFor(short.deps, user.email);
      assert.match(link.text, /within 10 minutes/);
      short.clock.advance(600);
      assert.equal((await api.post("/api/password-reset/complete", { token: link.token, newPassword: "a new password too late" })).body.code, "reset_link_invalid");
    } finally {
      await short.close();
    }
  });
});
