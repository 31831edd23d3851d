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
