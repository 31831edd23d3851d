/**
 * Request durations (src/operations/request-hooks.ts, installed through buildApp's `instrument`):
 * every answer of the public app is observed once, under its route template, method and status,
 * the OpenID Connect provider's own answers included (they end Fastify's hook chain in the
 * provider's `onRequest`, so the timing hook must run first), and a 404 as `unmatched`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/http/app.js";
import { createMetrics, type Metrics } from "../../src/operations/metrics.js";
import { installRequestHooks } from "../../src/operations/request-hooks.js";
import { createTestRuntime, type TestRuntime } from "../helpers/runtime.js";

async function count(metrics: Metrics, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric("twostep_http_request_duration_seconds")!;
  const found = (await metric.get()).values.find((entry) => (entry as { metricName?: string }).metricName === "twostep_http_request_duration_seconds_count" && Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted));
  return found?.value ?? 0;
}

describe("request durations", () => {
  let runtime: TestRuntime;
  let metrics: Metrics;
  let app: FastifyInstance;

  before(async () => {
    runtime = await createTestRuntime();
    metrics = createMetrics();
    app = await buildApp({ deps: runtime.deps, cookieSecret: "test-cookie-secret-test-cookie-secret", logger: false, instrument: (built, answeredOutside) => installRequestHooks(built, metrics, () => false, answeredOutside) });
  });
  after(async () => {
    await app?.close();
    await runtime?.close();
  });

  it("observes each answer once under its route template, method and status", async () => {
    const wrong = await app.inject({ method: "POST", url: "/api/login/second-factor", payload: { flowId: "x".repeat(43), code: "123456" } });
    assert.equal(wrong.statusCode, 401, wrong.body);
    assert.ok(wrong.headers["x-request-id"], "the answer carries its id");
    assert.equal(await count(metrics, { route: "/api/login/second-factor", method: "POST", status: "401" }), 1);
    const method = await app.inject({ method: "DELETE", url: "/api/me/methods/0b7a5c3e-1111-4222-8333-944455556666" });
    assert.equal(method.statusCode, 400, method.body);
    assert.equal(await count(metrics, { route: "/api/me/methods/:methodId", method: "DELETE", status: "400" }), 1, "parameters stay templates");
    const missing = await app.inject({ method: "GET", url: "/api/no-such-thing" });
    assert.equal(missing.statusCode, 404);
    assert.equal(await count(metrics, { route: "unmatched", method: "GET", status: "404" }), 1);
    const text = await metrics.registry.metrics();
    assert.ok(!text.includes("0b7a5c3e"), "no id from a URL");
    const sum = /twostep_http_request_duration_seconds_sum\{[^}]*route="\/api\/login\/second-factor"[^}]*\} (\S+)/.exec(text);
    assert.ok(sum && Number(sum[1]) > 0 && Number(sum[1]) < 10, `a duration in seconds: ${sum?.[1]}`);
  });

  it("observes the OpenID Connect provider's own answers", async () => {
    const before = await count(metrics, { route: "unmatched", method: "GET", status: "200" });
    const discovery = await app.inject({ method: "GET", url: "/.well-known/openid-configuration" });
    assert.equal(discovery.statusCode, 200, discovery.body);
    assert.equal(await count(metrics, { route: "unmatched", method: "GET", status: "200" }), before + 1);
  });

  it("keeps each route, method and status apart, and counts a method outside the list as OTHER", async () => {
    const own = createMetrics();
    own.requestFinished("/a", "GET", 200, 0.001);
    own.requestFinished("/a", "GET", 200, 0.001);
    own.requestFinished("/a", "POST", 200, 0.001);
    own.requestFinished("/a", "GET", 201, 0.001);
    own.requestFinished("/b", "GET", 200, 0.001);
    own.requestFinished("/a", "PROPFIND", 200, 0.001);
    own.requestFinished("/a", "OTHER", 200, 0.001);
    assert.equal(await count(own, { route: "/a", method: "GET", status: "200" }), 2);
    assert.equal(await count(own, { route: "/a", method: "POST", status: "200" }), 1);
    assert.equal(await count(own, { route: "/a", method: "GET", status: "201" }), 1);
    assert.equal(await count(own, { route: "/b", method: "GET", status: "200" }), 1);
    assert.equal(await count(own, { route: "/a", method: "OTHER", status: "200" }), 2);
    assert.ok(!(await own.registry.metrics()).includes("PROPFIND"), "no method name a request chose");
  });
});
