/**
 * Threat: one user's trusted-browser cookie used for another account. A
 * shared computer remembers Alice; Mallory, who knows Bob's password, logs in
 * as Bob on it. The token is bound to the user it was made for: for anyone
 * else it is nothing, and the second step is asked (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { loginStatusWith, rememberThroughApi } from "../helpers/trusted-browser.js";

describe("security: a trusted browser of another user", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("skips the second step only for the user it was remembered for", async () => {
    const alice = await enrolTotp(t.deps, { kind: "customer" });
    const bob = await enrolTotp(t.deps, { kind: "customer" });
    const { token } = await rememberThroughApi(t.app, alice, t.clock);
    assert.equal(await loginStatusWith(t.app, bob, token), "second_factor_required");
    assert.equal(await loginStatusWith(t.app, alice, token), "authenticated");
    const events = await t.deps.store.events.listEvents({ subjectUserId: bob.user.id, limit: 20 });
    assert.ok(!events.some((event) => event.type === "browser.remembered_login"));
  });
});
