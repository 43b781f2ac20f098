import type { GrantType } from './clients/registered-clients.js';

/** What the domain reports; the prom-client counters live in src/observability. */
export interface AuthMetrics {
  tokenIssued(grantType: GrantType): void;
  tokenRefused(grantType: string, error: string): void;
  refreshReuseDetected(): void;
}
