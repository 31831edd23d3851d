import type { Metric, Registry } from "prom-client";

/** One label set's counts: observing is a bucket search and three additions. */
export interface HistogramChild {
  observe(value: number): void;
}

interface Counts {
  labels: Record<string, string>;
  /** Per bucket (the last one is +Inf), not yet cumulative. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for the hot paths (every request, every statement): prom-client's own
 * `Histogram` checks and hashes the labels and allocates on every `observe`, even through a
 * child from `labels()` (about 1.4 µs an observation in the bench's wrong-code second step, ten
 * an answer). Here a child is made once per label set and observing allocates nothing. The
 * registry reads it like any prom-client metric (`get()`: `_bucket` with `le` cumulative up to
 * `+Inf`, `_sum`, `_count`), so the scrape's text is prom-client's own formatting
 * (test/operations/histogram.test.ts compares it with a prom-client Histogram's).
 */
export class LabelledHistogram<L extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly children = new Map<string, Counts>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    // The registry's type lists prom-client's four classes; it only calls `get()` (and `reset()`).
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child of one label set (made on first use, kept: label values come from fixed lists). */
  child(labels: Record<L, string>): HistogramChild {
    const key = this.labelNames.map((name) => labels[name]).join("\u0000");
    let counts = this.children.get(key);
    if (!counts) {
      counts = { labels: Object.fromEntries(this.labelNames.map((name) => [name, labels[name]])), buckets: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
      this.children.set(key, counts);
    }
    const bounds = this.upperBounds;
    const target = counts;
    return {
      observe(value: number) {
        let index = 0;
        while (index < bounds.length && value > bounds[index]!) index++;
        target.buckets[index]!++;
        target.sum += value;
        target.count++;
      },
    };
  }

  async get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const counts of this.children.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, index) => {
        cumulative += counts.buckets[index]!;
        values.push({ value: cumulative, labels: { le: bound, ...counts.labels }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: counts.count, labels: { le: "+Inf", ...counts.labels }, metricName: `${this.name}_bucket` });
      values.push({ value: counts.sum, labels: { ...counts.labels }, metricName: `${this.name}_sum` });
      values.push({ value: counts.count, labels: { ...counts.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const counts of this.children.values()) {
      counts.buckets.fill(0);
      counts.sum = 0;
      counts.count = 0;
    }
  }
}
