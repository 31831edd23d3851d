/**
 * Threat: the reset token in a log line (SPEC: no secret, code or token in
 * logs). The reset page's URL carries it in the query string, and Fastify's
 * default request serializer logs the whole URL; a token in a log is a
 * password reset for whoever reads the log. Also no event detail and no
 * response other than the emailed link may hold it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { hashToken } from "../../src/security/tokens.js";

describe("the reset token is never logged or answered", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("no log line, event detail or API answer holds the token (or its hash); the request line keeps the path", async () => {
    const enrolled = await enrolTotp(t.deps);
    const browser = new FormClient(t.app);
    const api = new ApiClient(t.app);
    const answers: string[] = [];
    answers.push((await browser.post("/login/forgot", { email: enrolled.user.email }, { csrfFrom: "/login/forgot" })).body);
    answers.push((await api.post("/api/password-reset/request", { email: enrolled.user.email })).raw.body);
    const { token } = await resetLinkFor(t.deps, enrolled.user.email);
    const page = await browser.get(`/login/reset?token=${token}`);
    assert.equal(page.statusCode, 200);
    // A wrong confirmation answers the form again: the page may hold the token in its hidden field (it posts it), nothing else may.
    await browser.post("/login/reset", { token, newPassword: "a brand new password 42", confirmPassword: "not the same one at all" }, { csrf: await browser.csrfFor() });
    const done = await api.post("/api/password-reset/complete", { token, newPassword: "a brand new password 42" });
    answers.push(done.raw.body, JSON.stringify(done.headers));
    answers.push((await api.post("/api/password-reset/complete", { token, newPassword: "a brand new password 42" })).raw.body);
    answers.push((await browser.get(`/login/reset?token=${token}`)).body, (await browser.get(`/login/reset?token=${token}x`)).body);

    const logs = [...t.logLines, ...t.logger.lines].join("\n");
    assert.ok(t.logLines.some((line) => line.includes('"url":"/login/reset"')), "the request is logged, without its query");
    const events = JSON.stringify(await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 100 }));
    for (const secret of [token, hashToken(token), encodeURIComponent(token)]) {
      assert.ok(!logs.includes(secret), "a log line holds the token");
      assert.ok(!events.includes(secret), "an event holds the token");
      for (const answer of answers) assert.ok(!answer.includes(secret), "an answer holds the token");
    }
    const others = (await t.deps.store.messages.listMessages(200)).filter((message) => message.kind !== "password_reset_link");
    assert.ok(!JSON.stringify(others).includes(token), "only the link email holds it");
  });
});
