/**
 * The hot-path histogram (src/operations/histogram.ts) scrapes exactly as prom-client's own
 * Histogram does for the same observations: the same text (buckets cumulative, `+Inf`, `_sum`,
 * `_count`, labels per child), values on a bound in its bucket, values above the last bound in
 * `+Inf` only; `get()` gives the same values to readers of the registry, and a reset zeroes it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Histogram, Registry } from "prom-client";
import { LabelledHistogram } from "../../src/operations/histogram.js";

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 1];
const observations: [Record<"route" | "status", string>, number][] = [
  [{ route: "/api/login", status: "200" }, 0.003],
  [{ route: "/api/login", status: "200" }, 0.005],
  [{ route: "/api/login", status: "200" }, 0.0051],
  [{ route: "/api/login", status: "401" }, 0.2],
  [{ route: "/api/me/methods/:methodId", status: "200" }, 7],
  [{ route: "/api/login", status: "200" }, 0.09],
  [{ route: "unmatched", status: "404" }, 0],
];

function both() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: "twostep_x_seconds", help: "Help with \\ and a\nline", labelNames: ["route", "status"] as const, buckets, registers: [theirs] });
  const histogram = new LabelledHistogram("twostep_x_seconds", "Help with \\ and a\nline", ["route", "status"], buckets, ours);
  for (const [labels, value] of observations) {
    reference.labels(labels).observe(value);
    histogram.child(labels).observe(value);
  }
  return { theirs, ours, histogram };
}

describe("LabelledHistogram", () => {
  it("scrapes as prom-client's Histogram for the same observations", async () => {
    const { theirs, ours } = both();
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /^twostep_x_seconds_bucket\{le="0.005",route="\/api\/login",status="200"\} 2$/m, "a value on a bound is in its bucket");
    assert.match(text, /^twostep_x_seconds_bucket\{le="1",route="\/api\/me\/methods\/:methodId",status="200"\} 0$/m);
    assert.match(text, /^twostep_x_seconds_bucket\{le="\+Inf",route="\/api\/me\/methods\/:methodId",status="200"\} 1$/m, "above the last bound: +Inf only");
    assert.match(text, /^twostep_x_seconds_count\{route="\/api\/login",status="200"\} 4$/m);
  });

  it("gives the registry's readers the same values, and a reset zeroes every child", async () => {
    const { theirs, ours, histogram } = both();
    const values = async (registry: Registry) => (await registry.getSingleMetric("twostep_x_seconds")!.get()).values.map((entry) => ({ ...entry, labels: { ...entry.labels } }));
    assert.deepEqual(
      (await values(ours)).map((entry) => [entry.labels, entry.value]),
      (await values(theirs)).map((entry) => [entry.labels, entry.value]),
    );
    histogram.reset();
    assert.ok((await values(ours)).every((entry) => entry.value === 0));
    histogram.child({ route: "/api/login", status: "200" }).observe(0.02);
    assert.match(await ours.metrics(), /^twostep_x_seconds_count\{route="\/api\/login",status="200"\} 1$/m);
  });
});
