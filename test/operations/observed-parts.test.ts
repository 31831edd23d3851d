/**
 * What the metrics observe (src/operations/observed-parts.ts), on a real store and real gateways:
 * - an event counts once its transaction commits, never when it rolls back;
 * - a refusal counts when the service refuses: the reset-email limit per account, reached
 *   through the real service, is one `reset_account` refusal (the wrapper's reading of a send
 *   window agrees with the service's own rule), and a locked attempt counter is one refusal of
 *   its key's limit;
 * - each gateway answer is counted by channel, gateway and outcome.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createMetrics, type Metrics } from "../../src/operations/metrics.js";
import { instrumentsFor, limitOfKey } from "../../src/operations/observed-parts.js";
import { windowLimitsOf } from "../../src/operations/server-parts.js";
import { requestPasswordReset } from "../../src/services/reset/password-reset-request.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { createEmailGateway } from "../../src/gateways/email/create.js";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import { lockSchedule } from "../../src/domain/throttle.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";

async function value(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, name);
  const found = (await metric.get()).values.find((entry) => Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted));
  return found?.value ?? 0;
}

describe("what the metrics observe", () => {
  let runtime: TestRuntime;
  let metrics: Metrics;
  let deps: ServiceDeps;

  before(async () => {
    runtime = await createTestRuntime();
    metrics = createMetrics();
    const instruments = instrumentsFor(metrics, windowLimitsOf(runtime.config));
    // The store as bootstrap.ts builds it with the metrics on: the Kysely store with the metrics as its observer.
    deps = { ...runtime.deps, store: createKyselyStore(runtime.database.db, instruments.store), email: instruments.email(runtime.deps.email) };
  });
  after(() => runtime?.close());

  it("counts an event after its transaction commits, and not one that rolled back", async () => {
    const { user } = await seedUser(runtime.deps);
    const event = (id: string) => ({ id, accountId: user.accountId, actorUserId: user.id, subjectUserId: user.id, type: "login.succeeded" as const, detail: { factor: "totp" }, clientAddress: "203.0.113.9", userAgent: null, createdAt: runtime.clock.now() });
    await assert.rejects(
      deps.store.transaction(async (tx) => {
        await tx.events.appendEvent(event("rolled-back"));
        assert.equal(await value(metrics, "twostep_logins_total", { outcome: "ok" }), 0, "not counted before the commit");
        throw new Error("roll back");
      }),
      /roll back/,
    );
    assert.equal(await value(metrics, "twostep_logins_total", { outcome: "ok" }), 0);
    await deps.store.transaction((tx) => tx.events.appendEvent(event("committed")));
    assert.equal(await value(metrics, "twostep_logins_total", { outcome: "ok" }), 1);
    assert.equal(await value(metrics, "twostep_second_factor_checks_total", { method: "totp", outcome: "ok" }), 1);
    await deps.store.events.appendEvent({ ...event("outside"), type: "login.second_factor_failed", detail: { factor: "made-up" } });
    assert.equal(await value(metrics, "twostep_logins_total", { outcome: "wrong_code" }), 1);
    assert.equal(await value(metrics, "twostep_second_factor_checks_total", { method: "other", outcome: "wrong" }), 1, "a value outside the list is other");
  });

  it("counts a reset-email refusal exactly when the service refuses", async () => {
    const { user } = await seedUser(runtime.deps);
    const limit = runtime.config.passwordReset.limitPerAccountPerHour;
    const answers = [];
    for (let i = 0; i <= limit; i++) answers.push((await requestPasswordReset(deps, { email: user.email }, { clientAddress: null, userAgent: null })).ok);
    assert.deepEqual(answers, [...Array(limit).fill(true), false]);
    assert.equal(await value(metrics, "twostep_rate_limit_refusals_total", { limit: "reset_account" }), 1);
    assert.equal(await value(metrics, "twostep_rate_limit_refusals_total", { limit: "reset_address" }), 0);
  });

  it("counts a locked attempt counter as a refusal of its key's limit, and names limits by prefix only", async () => {
    const schedule = { rows: lockSchedule(runtime.config.addressThrottle) };
    const key = "password-address:198.51.100.4";
    let attempts = 0;
    while ((await deps.store.counters.countAttempt(key, runtime.clock.now(), schedule)).allowed) assert.ok(++attempts < 100, "never locked");
    assert.equal(attempts, runtime.config.addressThrottle.freeFailures);
    assert.equal(await value(metrics, "twostep_rate_limit_refusals_total", { limit: "password_address" }), 1);
    assert.equal(limitOfKey("user:6f1c"), "user");
    assert.equal(limitOfKey("no prefix"), "other");
    assert.equal((await metrics.registry.metrics()).includes("198.51.100.4"), false);
  });

  it("counts each gateway answer by channel, gateway and outcome", async () => {
    const message = { to: "someone@example.test", subject: "s", text: "t", html: "<p>t</p>" };
    assert.equal((await deps.email.send(message)).ok, true);
    const none = instrumentsFor(metrics, () => null).email(createEmailGateway({ ...runtime.config.email, gateway: "none" }, runtime.deps.store.outbox, () => 0, () => "id"));
    assert.equal((await none.send(message)).ok, false);
    assert.equal(await value(metrics, "twostep_message_sends_total", { channel: "email", gateway: "outbox", outcome: "sent" }), 1);
    assert.equal(await value(metrics, "twostep_message_sends_total", { channel: "email", gateway: "none", outcome: "permanent_failure" }), 1);
  });
});
