/**
 * A twostep phase and its baseline's, run in pairs (BENCH_PAIRS, default 3): both servers stay
 * up and the two phases alternate, the order swapping every pair (baseline first, then twostep
 * first, …), so a noisy stretch of the machine lands on both sides of some pair rather than on
 * one row. Each pair gives one throughput ratio and one CPU-per-request ratio; the row reports
 * their medians and their spread (min–max), and shows the pair whose throughput ratio is the
 * median for the absolute figures.
 */
import type { Phase } from "./measure.js";

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface PairedPhases {
  pairs: { ours: Phase; baseline: Phase }[];
  /** twostep ÷ baseline requests per second, per pair. */
  throughputRatio: Spread;
  /** twostep ÷ baseline server CPU per request, per pair. */
  cpuRatio: Spread;
  /** twostep ÷ baseline p99 latency, per pair. */
  p99Ratio: Spread;
  /** The pair whose throughput ratio is the median one. */
  median: { ours: Phase; baseline: Phase };
}

export const pairCount = Math.max(1, Number(process.env.BENCH_PAIRS ?? 3));

const medianIndex = (values: number[]) => {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  return order[Math.floor((order.length - 1) / 2)]!.index;
};

export const spread = (values: number[]): Spread => ({ median: values[medianIndex(values)]!, min: Math.min(...values), max: Math.max(...values) });

export async function runPairs(runBaseline: (pair: number) => Promise<Phase>, runOurs: (pair: number) => Promise<Phase>, pairs = pairCount): Promise<PairedPhases> {
  const done: { ours: Phase; baseline: Phase }[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      const baseline = await runBaseline(pair);
      done.push({ baseline, ours: await runOurs(pair) });
    } else {
      const ours = await runOurs(pair);
      done.push({ ours, baseline: await runBaseline(pair) });
    }
  }
  const throughput = done.map(({ ours, baseline }) => ours.load.requestsPerSecond / Math.max(baseline.load.requestsPerSecond, 1e-9));
  const cpu = done.map(({ ours, baseline }) => ours.serverCpuMicrosPerRequest / Math.max(baseline.serverCpuMicrosPerRequest, 1e-9));
  const p99 = done.map(({ ours, baseline }) => ours.load.latencyMs.p99 / Math.max(baseline.load.latencyMs.p99, 1));
  return { pairs: done, throughputRatio: spread(throughput), cpuRatio: spread(cpu), p99Ratio: spread(p99), median: done[medianIndex(throughput)]! };
}
