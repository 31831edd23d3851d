/**
 * P1 reminders, on the database TWOSTEP_TEST_DATABASE picks: two instances
 * (two runtimes, each its own connection) run the job at once on one shared
 * database, and each reminder is recorded once; the right users get the right
 * reminder (14, 3, 1 days before the earliest covering date), and nobody with 2FA.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sendTwoFactorReminders, startReminderSchedule } from "../../src/services/policy/two-factor-reminders.js";
import { createSharedTestDatabase, type SharedTestDatabase } from "../helpers/database.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;

describe("two-factor reminders across instances", () => {
  let directory: string;
  let shared: SharedTestDatabase;
  let one: TestRuntime;
  let two: TestRuntime;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "twostep-reminders-"));
    shared = await createSharedTestDatabase(directory);
    one = await createTestRuntime({ shared });
    two = await createTestRuntime({ shared });
  });
  after(async () => {
    await one.close();
    await two.close();
    await shared.close();
    await rm(directory, { recursive: true, force: true });
  });

  /**
   * PostgreSQL: truly at once. SQLite: two connections in one process cannot
   * overlap write transactions (one would block the event loop on the other's
   * lock), so there the runs alternate; the claim still has to refuse the second.
   */
  const runAll = async (runtimes: TestRuntime[]) => {
    if (shared.kind === "postgres") return Promise.all(runtimes.map((runtime) => sendTwoFactorReminders(runtime.deps)));
    const results = [];
    for (const runtime of runtimes) results.push(await sendTwoFactorReminders(runtime.deps));
    return results;
  };

  const reminders = async (userId: string) =>
    (await one.deps.store.events.listEvents({ subjectUserId: userId, limit: 50 })).filter((event) => event.type === "two_factor.reminder").map((event) => event.detail);

  it("two instances at once record each reminder once; a second run records none", async () => {
    const now = one.clock.now();
    const deadline = now + 14 * day - hour;
    const users = await Promise.all(Array.from({ length: 6 }, () => seedUser(one.deps, { policy: { requireTwoFactorFrom: deadline } })));
    const enrolled = await enrolTotp(one.deps, { policy: { requireTwoFactorFrom: deadline } });
    const runs = await runAll([one, two, one, two]);
    assert.equal(runs.reduce((sum, run) => sum + run.recorded, 0), users.length);
    for (const { user } of users) assert.deepEqual(await reminders(user.id), [{ daysBefore: 14, deadline }]);
    assert.deepEqual(await reminders(enrolled.user.id), [], "a user with 2FA gets no reminder");
    assert.equal((await sendTwoFactorReminders(two.deps)).recorded, 0);
  });

  it("sends 3 and 1 days before, nothing in between or after, for the earliest covering date", async () => {
    const start = one.clock.now();
    const earliest = start + 3 * day - hour;
    const { user } = await seedUser(one.deps, { kind: "customer", policy: { requireTwoFactorFrom: start + 14 * day - hour } });
    const account = (await one.deps.store.accounts.findAccountById(user.accountId))!;
    // The reseller's rule for its customers is earlier: that deadline is the user's.
    await one.deps.store.accounts.savePolicyLayer(account.parentId!, "customer_users", { requireTwoFactorFrom: earliest, allowedMethods: null, recoveryCodePolicy: null, rotatePasswordOnDisable: null, rememberBrowserDays: null, newSignInEmail: null }, start);
    await sendTwoFactorReminders(one.deps);
    assert.deepEqual(await reminders(user.id), [{ daysBefore: 3, deadline: earliest }]);
    one.clock.advance((day / 1000) * 1);
    await sendTwoFactorReminders(one.deps);
    assert.equal((await reminders(user.id)).length, 1, "nothing two days before");
    one.clock.advance(day / 1000);
    two.clock.current = one.clock.current;
    await runAll([one, two]);
    assert.deepEqual((await reminders(user.id)).map((detail) => detail.daysBefore), [1, 3]);
    one.clock.advance(day / 1000);
    await sendTwoFactorReminders(one.deps);
    assert.equal((await reminders(user.id)).length, 2, "nothing after the date");
  });

  it("the schedule runs the job at once and stops", async () => {
    const { user } = await seedUser(two.deps, { policy: { requireTwoFactorFrom: two.clock.now() + day - hour } });
    const stop = startReminderSchedule(two.deps, { intervalMs: 60_000 });
    for (let i = 0; i < 100 && (await reminders(user.id)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    assert.deepEqual((await reminders(user.id)).map((detail) => detail.daysBefore), [1]);
  });
});
