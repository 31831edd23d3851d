/**
 * Threat: a reset link used a second time (SECURITY 31: reset tokens single
 * use). Whoever finds the link later (mail archive, a shared machine's
 * history) must not set the password again; two racing uses give one reset.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("a reset link works once", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("API: the second use is refused and the password stays the first one's; older links die with it", async () => {
    const api = new ApiClient(t.app);
    const { user } = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: user.email });
    const older = await resetLinkFor(t.deps, user.email);
    t.clock.advance(1);
    await api.post("/api/password-reset/request", { email: user.email });
    const newer = await resetLinkFor(t.deps, user.email);
    assert.notEqual(older.token, newer.token);
    assert.equal((await api.post("/api/password-reset/complete", { token: newer.token, newPassword: "the first new password" })).status, 200);
    const again = await api.post("/api/password-reset/complete", { token: newer.token, newPassword: "the second new password" });
    assert.deepEqual([again.status, again.body.code], [400, "reset_link_invalid"]);
    const olderAgain = await api.post("/api/password-reset/complete", { token: older.token, newPassword: "the second new password" });
    assert.equal(olderAgain.body.code, "reset_link_invalid", "the user's other links were retired");
    const hash = (await t.deps.store.accounts.findUserById(user.id))!.passwordHash;
    assert.ok(await t.deps.passwords.verify(hash, "the first new password"));
    assert.ok(!(await t.deps.passwords.verify(hash, "the second new password")));
  });

  it("API: ten racing uses of one link give exactly one reset and one password.reset event", async () => {
    const api = new ApiClient(t.app);
    const { user } = await seedUser(t.deps);
    await api.post("/api/password-reset/request", { email: user.email });
    const { token } = await resetLinkFor(t.deps, user.email);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post("/api/password-reset/complete", { token, newPassword: `racing new password ${i}` })));
    assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
    assert.ok(answers.every((answer) => answer.status === 200 || answer.body.code === "reset_link_invalid"));
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 });
    assert.equal(events.filter((event) => event.type === "password.reset").length, 1);
  });

  it("pages: the used link shows 'does not work' with a way to ask for a new one", async () => {
    const browser = new FormClient(t.app);
    const { user } = await seedUser(t.deps);
    await browser.post("/login/forgot", { email: user.email }, { csrfFrom: "/login/forgot" });
    const { token } = await resetLinkFor(t.deps, user.email);
    await browser.get(`/login/reset?token=${token}`);
    const csrf = await browser.csrfFor();
    assert.equal((await browser.post("/login/reset", { token, newPassword: "the first new password", confirmPassword: "the first new password" }, { csrf })).statusCode, 303);
    const reopened = await browser.get(`/login/reset?token=${token}`);
    assert.equal(reopened.statusCode, 400);
    assert.match(reopened.body, /not valid, was already used or has expired/);
    assert.match(reopened.body, /href="\/login\/forgot"/);
    assert.doesNotMatch(reopened.body, /name="newPassword"/);
    const replay = new FormClient(t.app, "203.0.113.77");
    const resubmitted = await replay.post("/login/reset", { token, newPassword: "the second new password", confirmPassword: "the second new password" }, { csrfFrom: "/login/forgot" });
    assert.equal(resubmitted.statusCode, 400);
  });
});
