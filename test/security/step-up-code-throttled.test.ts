import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, createObservedTestApp, wrongCodeFor, type ObservedTestApp } from "../helpers/api-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/**
 * The attack: with a stolen session, guess codes on "Confirm it's you" at
 * leisure, or spread guesses between it and the login so no counter fills.
 * Each step-up try takes a slot on the user's ONE failure counter (SECURITY 7,
 * 10): after 5 wrong codes, wherever they were sent, the user is locked (429),
 * even for the right code, and the lock is in the event log.
 */
describe("step-up codes are throttled on the per-user counter", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  async function staleTotpSession() {
    const { user, password } = await seedUser(t.deps);
    const token = await api.sessionFor(user.email, password);
    const totp = await api.enrolTotp(token, password, t.clock);
    t.clock.advance(11 * 60);
    return { user, password, token, key: totp.key };
  }

  it("five wrong step-up codes lock the user; then even the right code is refused", async () => {
    const { token, key } = await staleTotpSession();
    for (let i = 0; i < 5; i++) assertApiError(await api.post("/api/me/step-up", { code: wrongCodeFor(key, t.clock.now()) }, token), 401, "invalid_code", "code");
    assertApiError(await api.post("/api/me/step-up", { code: codeFor(key, t.clock.now()) }, token), 429, "locked_out");
    assertApiError(await api.post("/api/me/recovery-codes", { password: "correct horse battery" }, token), 403, "step_up_required");
    const events = (await api.get("/api/me/events", token)).body.events as { type: string; detail: Record<string, unknown> }[];
    assert.ok(events.filter((event) => event.type === "verification.failed").length >= 5, "each wrong code is an event");
  });

  it("wrong codes at the login and at step-up fill the same counter", async () => {
    const { user, password, token, key } = await staleTotpSession();
    const flowId = await api.flowFor(user.email, password);
    for (let i = 0; i < 3; i++) assertApiError(await api.post("/api/login/second-factor", { flowId, code: wrongCodeFor(key, t.clock.now()) }), 401, "invalid_code");
    for (let i = 0; i < 2; i++) assertApiError(await api.post("/api/me/step-up", { code: wrongCodeFor(key, t.clock.now()) }, token), 401, "invalid_code", "code");
    assertApiError(await api.post("/api/me/step-up", { code: codeFor(key, t.clock.now()) }, token), 429, "locked_out");
    assertApiError(await api.post("/api/login/second-factor", { flowId, code: codeFor(key, t.clock.now()) }), 429, "locked_out");
  });
});
