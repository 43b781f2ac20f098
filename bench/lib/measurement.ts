/** One figure a benchmark publishes, with its target: what the benchmark summary lists side by side. */

export interface Measurement {
  /** What was measured, e.g. "gateway ÷ direct, requests/s". */
  name: string;
  /** The figure as shown, with its unit. */
  value: string;
  /** The target as shown, e.g. "≥ 0.85"; null for a figure without one. */
  target: string | null;
  /** null when there is no target. */
  met: boolean | null;
  /** Why a target was missed, in the report's own words; null when met or without a target. */
  cause: string | null;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}
