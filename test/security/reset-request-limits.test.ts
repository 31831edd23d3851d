/**
 * Threat: "Forgot password?" used to bomb one person's inbox, or by one
 * client to send mail to many addresses. Limited per email (3 an hour by
 * default, an unknown email counted the same, so the limit reveals nothing)
 * and per client address (10 an hour), on shared counters: pages and API
 * count together.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { resetEmailCount } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("reset requests are limited", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("per account: the 4th request in an hour from any address is 429 for an existing and an unknown email alike; an hour later it works", async () => {
    const { user } = await seedUser(t.deps);
    const unknown = `nobody-limit-${Date.now()}@example.test`;
    const answers: Record<string, number[]> = { [user.email]: [], [unknown]: [] };
    for (let i = 0; i < 4; i++) {
      for (const email of [user.email, unknown]) {
        // A new address each time: only the per-account limit can stop it.
        const api = new ApiClient(t.app, `192.0.2.${100 + i}`);
        answers[email]!.push((await api.post("/api/password-reset/request", { email: email.toUpperCase() })).status);
      }
    }
    assert.deepEqual(answers[user.email], [202, 202, 202, 429]);
    assert.deepEqual(answers[unknown], [202, 202, 202, 429], "an unknown email is limited the same way");
    const page = await new FormClient(t.app, "192.0.2.120").post("/login/forgot", { email: user.email }, { csrfFrom: "/login/forgot" });
    assert.equal(page.statusCode, 429, "the pages share the counter");
    assert.match(page.body, /Too many reset emails/);
    assert.equal(await resetEmailCount(t.deps, user.email), 3);
    const limited = await new ApiClient(t.app, "192.0.2.121").post("/api/password-reset/request", { email: user.email });
    assert.equal(limited.body.code, "reset_limit_reached");
    assert.ok(limited.body.retryAfterSeconds > 0 && limited.body.retryAfterSeconds <= 3600);
    t.clock.advance(3600);
    assert.equal((await new ApiClient(t.app, "192.0.2.122").post("/api/password-reset/request", { email: user.email })).status, 202);
  });

  it("per client address: the 11th request in an hour from one address is 429, whatever the emails", async () => {
    const api = new ApiClient(t.app, "198.51.100.200");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await api.post("/api/password-reset/request", { email: `many-${i}-${Date.now()}@example.test` })).status);
    assert.deepEqual(statuses, [...Array(10).fill(202), 429]);
    assert.equal((await new ApiClient(t.app, "198.51.100.201").post("/api/password-reset/request", { email: `other-${Date.now()}@example.test` })).status, 202, "another address is not held back");
  });
});
