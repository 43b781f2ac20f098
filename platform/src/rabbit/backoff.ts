export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Capped exponential back-off with jitter: attempt 0 waits about initialDelayMs, each
 * further attempt doubles it up to maxDelayMs. The jitter (50–100 %) keeps a fleet of
 * services from reconnecting in lockstep after a broker restart.
 */
export function backoffDelay(attempt: number, { initialDelayMs, maxDelayMs }: BackoffOptions): number {
  const capped = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped * (0.5 + Math.random() / 2));
}
