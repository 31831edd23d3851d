/** What both in-process micro benchmarks (totp-micro.ts, webauthn-micro.ts) report about their interleaved chunk pairs. */
export interface PairedRatios {
  /** Median over the chunk pairs of ours / floor. */
  ratio: number;
  /** Chunk pairs measured, and the 10th–90th percentile of their ratios (the spread). */
  pairs: number;
  ratioP10: number;
  ratioP90: number;
  milliseconds: number;
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** The medians and spread of the pairs' ratios. */
export function pairedRatios(ratios: number[], milliseconds: number): PairedRatios {
  return { ratio: percentile(ratios, 50), pairs: ratios.length, ratioP10: percentile(ratios, 10), ratioP90: percentile(ratios, 90), milliseconds };
}

/**
 * The two sides in alternating chunks (`floor` then `ours`, each about half a
 * millisecond or more) until `milliseconds` have passed: each adjacent pair
 * gives one ratio `ratio(oursRate, floorRate)`, so a noisy machine slows both
 * sides of a pair alike. A synchronous `ours` is not awaited, so no microtask
 * lands in its timing.
 */
export async function interleave(input: {
  floor: (iterations: number) => void;
  ours: (iterations: number) => void | Promise<void>;
  floorChunk: number;
  oursChunk: number;
  milliseconds: number;
  ratio: (oursRate: number, floorRate: number) => number;
}): Promise<PairedRatios & { floorOpsPerSecond: number; oursOpsPerSecond: number }> {
  const floorRates: number[] = [];
  const oursRates: number[] = [];
  const ratios: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(input.milliseconds) * 1_000_000n;
  for (let t2 = 0n; t2 < deadline; ) {
    const t0 = process.hrtime.bigint();
    input.floor(input.floorChunk);
    const t1 = process.hrtime.bigint();
    const pending = input.ours(input.oursChunk);
    if (pending) await pending;
    t2 = process.hrtime.bigint();
    const floorRate = input.floorChunk / (Number(t1 - t0) / 1e9);
    const oursRate = input.oursChunk / (Number(t2 - t1) / 1e9);
    floorRates.push(floorRate);
    oursRates.push(oursRate);
    ratios.push(input.ratio(oursRate, floorRate));
  }
  return { floorOpsPerSecond: percentile(floorRates, 50), oursOpsPerSecond: percentile(oursRates, 50), ...pairedRatios(ratios, input.milliseconds) };
}
