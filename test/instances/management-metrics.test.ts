/**
 * GET /metrics on the management listener of a real server process counts
 * exactly what a scripted mix of logins did (issue 17): right codes, a wrong
 * password, wrong codes until the user is locked, refusals while locked, a
 * step-up; and after traffic with real emails, client addresses (believed from
 * X-Forwarded-For behind one trusted proxy) and user ids, none of them appears
 * in the scrape: label values come from fixed lists. Counts are the difference
 * between a scrape before and one after the mix, so the setup's own logins do
 * not count. On SQLite, and on PostgreSQL under TWOSTEP_TEST_DATABASE=postgres.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { createSharedDatabase, freePort, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

/** One sample of the Prometheus text: name{labels} value. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? "").split(",").filter(Boolean);
    if (wanted.length === present.length && wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return 0;
}

describe("/metrics after a scripted mix of logins", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let instance: Instance;
  let metricsUrl: string;
  const addresses = ["203.0.113.77", "198.51.100.23", "2001:db8::1f"];
  let addressTurn = 0;

  async function call(path: string, body: unknown, token?: string) {
    const headers: Record<string, string> = { "content-type": "application/json", "x-forwarded-for": addresses[addressTurn++ % addresses.length]! };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${instance.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  }
  const scrape = async () => {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  before(async () => {
    database = await createSharedDatabase();
    const port = await freePort();
    const env = instanceEnv(database.url, {
      TWOSTEP_TOTP_WINDOW_STEPS: "10",
      TWOSTEP_USER_FREE_FAILURES: "3",
      TWOSTEP_TRUST_PROXY: "1",
      TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${port}`,
    });
    runtime = await createRuntime(parseConfig(env));
    instance = await startInstance(env);
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(async () => {
    if (instance) await stopInstance(instance);
    await runtime?.close();
    await database?.drop();
  });

  async function totpUser() {
    const { user, password } = await seedUser(runtime.deps);
    const login = await call("/api/login", { email: user.email, password });
    const begun = await call("/api/me/two-factor/totp", { password }, login.body.sessionToken);
    // One step inside the ±10 window: a step boundary between here and the server's check cannot push it out.
    let step = -9;
    const confirmed = await call(`/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: codeFor(begun.body.key, Date.now(), step) }, login.body.sessionToken);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    return { user, password, key: begun.body.key as string, nextCode: () => codeFor(begun.body.key, Date.now(), ++step) };
  }

  it("counts logins, second-factor checks, refusals and requests exactly, and holds no email, address or id", async () => {
    const good = await totpUser();
    const guessed = await totpUser();
    const before = await scrape();

    // Two good logins (password, then the right code), one of them followed by a step-up.
    let session = "";
    for (let i = 0; i < 2; i++) {
      const flow = await call("/api/login", { email: good.user.email, password: good.password });
      assert.equal(flow.body.status, "second_factor_required", JSON.stringify(flow.body));
      const done = await call("/api/login/second-factor", { flowId: flow.body.flowId, code: good.nextCode() });
      assert.equal(done.body.status, "authenticated", JSON.stringify(done.body));
      session = done.body.sessionToken;
    }
    const stepUp = await call("/api/me/step-up", { code: good.nextCode() }, session);
    assert.equal(stepUp.status, 200, JSON.stringify(stepUp.body));

    // One wrong password for a real user.
    assert.equal((await call("/api/login", { email: good.user.email, password: "not the password at all" })).status, 401);

    // Wrong codes until the user is locked, then two more tries while locked.
    const flow = await call("/api/login", { email: guessed.user.email, password: guessed.password });
    let wrong = 0;
    for (;;) {
      const answer = await call("/api/login/second-factor", { flowId: flow.body.flowId, code: wrongCodeFor(guessed.key, Date.now(), 10) });
      if (answer.status === 429) break;
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
      wrong++;
      assert.ok(wrong <= 10, "the user was never locked");
    }
    for (let i = 0; i < 2; i++) assert.equal((await call("/api/login/second-factor", { flowId: flow.body.flowId, code: guessed.nextCode() })).status, 429);
    const refused = 3;

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    assert.equal(wrong, 3, "with three free failures, the third failure starts the lock");
    assert.deepEqual(
      {
        ok: delta("twostep_logins_total", { outcome: "ok" }),
        wrongPassword: delta("twostep_logins_total", { outcome: "wrong_password" }),
        wrongCode: delta("twostep_logins_total", { outcome: "wrong_code" }),
        locked: delta("twostep_logins_total", { outcome: "locked" }),
        stepUp: delta("twostep_logins_total", { outcome: "step_up" }),
        totpOk: delta("twostep_second_factor_checks_total", { method: "totp", outcome: "ok" }),
        totpWrong: delta("twostep_second_factor_checks_total", { method: "totp", outcome: "wrong" }),
        refusedByUser: delta("twostep_rate_limit_refusals_total", { limit: "user" }),
        refusedByAddress: delta("twostep_rate_limit_refusals_total", { limit: "address" }),
        secondStep401: delta("twostep_http_request_duration_seconds_count", { route: "/api/login/second-factor", method: "POST", status: "401" }),
        secondStep429: delta("twostep_http_request_duration_seconds_count", { route: "/api/login/second-factor", method: "POST", status: "429" }),
        secondStep200: delta("twostep_http_request_duration_seconds_count", { route: "/api/login/second-factor", method: "POST", status: "200" }),
      },
      { ok: 2, wrongPassword: 1, wrongCode: wrong, locked: 1, stepUp: 1, totpOk: 2, totpWrong: wrong, refusedByUser: refused, refusedByAddress: 0, secondStep401: wrong, secondStep429: refused, secondStep200: 2 },
    );
    assert.ok(delta("twostep_database_query_duration_seconds_count", { outcome: "ok" }) > 0, "queries are timed");
    assert.ok(sample(after, "twostep_process_resident_memory_bytes", {}) > 0, "default process metrics are there");
    assert.equal(sample(after, "twostep_outbox_pending_messages", {}) >= 0, true);

    // Nothing a request chose is a label value: no email, no client address, no user, flow or method id.
    const forbidden = [good.user.email, guessed.user.email, good.user.id, guessed.user.id, flow.body.flowId as string, ...addresses, "127.0.0.1", "example.test"];
    for (const value of forbidden) assert.equal(after.includes(value), false, `the scrape holds ${value}`);
    const routes = new Set([...after.matchAll(/route="([^"]*)"/g)].map((match) => match[1]!));
    for (const route of routes) {
      assert.match(route, /^(\/[A-Za-z0-9\-/:*.]*|unmatched)$/, `route label ${route} is a template`);
      assert.doesNotMatch(route, /[0-9a-f]{8}-[0-9a-f]{4}-/, `route label ${route} holds an id`);
    }
    assert.ok(routes.has("/api/me/two-factor/totp/:methodId/confirm"), "parameters stay templates");
  });
});
