/** Latency summaries computed the same way for every load generator, from every response time. */

export interface LoadSummary {
  /** Successful (2xx, or completed for direct SQL) requests measured. */
  requests: number;
  /** Requests that failed (non-2xx, connection errors, SQL errors). */
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function summarize(latenciesMs: readonly number[], errors: number, seconds: number): LoadSummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const total = latenciesMs.reduce((sum, value) => sum + value, 0);
  return {
    requests: sorted.length,
    errors,
    seconds: round(seconds, 3),
    requestsPerSecond: round(sorted.length / seconds, 1),
    latencyMs: {
      mean: round(total / Math.max(1, sorted.length)),
      p50: round(percentile(sorted, 0.5)),
      p95: round(percentile(sorted, 0.95)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted[sorted.length - 1] ?? Number.NaN),
    },
  };
}
