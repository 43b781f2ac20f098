import type { GrantType } from './clients/registered-clients.js';

/** What the domain reports; the prom-client counters live in src/observability. */
export interface AuthMetrics {
  tokenIssued(grantType: GrantType): void;
  tokenRefused(grantType: string, error: string): void;
  refreshReuseDetected(): void;
  /** A just-rotated token was replayed within the reuse grace and got its successor back. */
  refreshReplayedWithinGrace(): void;
}
