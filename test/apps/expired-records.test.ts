/**
 * The hourly sweep of what apps' sign-ins leave behind (issue 15): the provider's rows past their expiry and the login
 * records and provider-session links of twostep sessions ended over a day ago go; live ones stay. And the periodic
 * runner it shares with the 2FA reminders: runs at once, never two at a time, logs a failure and goes on, stops.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createProviderAdapter } from "../../src/services/apps/provider-adapter.js";
import { endedSessionRecordsKeptMs, sweepExpiredAppRecords } from "../../src/services/apps/expired-records.js";
import { startPeriodicTask } from "../../src/services/periodic.js";
import { testDatabaseKind } from "../helpers/database.js";
import { CapturingLogger, createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

describe(`the sweep of expired app records on ${testDatabaseKind()}`, () => {
  let runtime: TestRuntime;
  before(async () => {
    runtime = await createTestRuntime();
  });
  after(() => runtime.close());

  it("deletes expired codes and tokens and the records of sessions ended a day ago; keeps what is live", async () => {
    const { store } = runtime.deps;
    const clock = runtime.clock;
    const adapter = (model: string) => createProviderAdapter({ store, clock, findClient: async () => undefined })(model);
    const code = `code-${randomUUID()}`;
    const refresh = `refresh-${randomUUID()}`;
    await adapter("AuthorizationCode").upsert(code, { jti: code, kind: "AuthorizationCode", grantId: "g-sweep" }, 60);
    await adapter("RefreshToken").upsert(refresh, { jti: refresh, kind: "RefreshToken", grantId: "g-sweep" }, 3600);
    const { user } = await seedUser(runtime.deps);
    const session = (id: string, expiresAt: number) => ({ id, userId: user.id, createdAt: clock.now(), expiresAt, authenticatedAt: clock.now(), recoveryCodeUsed: false });
    const [ending, lasting] = [randomUUID(), randomUUID()];
    await store.sessions.insertSession(session(ending, clock.now() + 120_000), `h-${ending}`, { clientAddress: null, userAgent: null });
    await store.sessions.insertSession(session(lasting, clock.now() + 10 * endedSessionRecordsKeptMs), `h-${lasting}`, { clientAddress: null, userAgent: null });
    for (const id of [ending, lasting]) {
      await store.sessionLogins.recordSessionLogin({ sessionId: id, factor: "totp", createdAt: clock.now() });
      await store.sessionLogins.linkProviderSession(`provider-${id}`, id, clock.now());
    }

    clock.advance(120); // the code and the first session have expired; the refresh token has not
    assert.deepEqual(await sweepExpiredAppRecords({ store, clock }), { providerRows: 1, sessionRecords: 0 }, "a session ended a moment ago keeps its records");
    assert.equal(await adapter("AuthorizationCode").find(code), undefined);
    assert.notEqual(await adapter("RefreshToken").find(refresh), undefined);

    clock.advance(endedSessionRecordsKeptMs / 1000); // a day later: the refresh token and the ended session's records go
    assert.deepEqual(await sweepExpiredAppRecords({ store, clock }), { providerRows: 1, sessionRecords: 2 });
    assert.equal(await store.sessionLogins.findSessionLogin(ending), null);
    assert.notEqual(await store.sessionLogins.findSessionLogin(lasting), null, "a live session keeps its login record");
    assert.deepEqual(await store.sessionLogins.findProviderSessionLinks([`provider-${ending}`, `provider-${lasting}`]), [{ providerSessionUid: `provider-${lasting}`, sessionId: lasting }]);
  });
});

describe("a periodic task", () => {
  it("runs at once, never overlaps itself, logs a failure under its name and runs again, and stops", async () => {
    const logger = new CapturingLogger();
    let runs = 0;
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => {};
    const stop = startPeriodicTask(logger, "the test task", 5, async () => {
      runs += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve)); // the first run hangs while ticks pass
      inFlight -= 1;
      if (runs === 2) throw new Error("boom");
    });
    assert.equal(runs, 1, "the first run starts at once");
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(runs, 1, "ticks during a run start no second one");
    release();
    while (runs < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    stop();
    const stoppedAt = runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(runs, stoppedAt, "no run after stop");
    assert.equal(most, 1);
    assert.ok(logger.lines.some((line) => line.includes("the test task failed") && line.includes("boom")));
  });
});
