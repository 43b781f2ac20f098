import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';
import type { AuthMetrics } from '../domain/auth-metrics.js';

/** The auth counters, on the service's own registry (never the global one). */
export function prometheusAuthMetrics(registry: MetricsRegistry): AuthMetrics {
  const issued = new Counter({
    name: 'auth_tokens_issued_total',
    help: 'Access tokens issued by the token endpoint, by grant type.',
    labelNames: ['grant_type'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'auth_token_errors_total',
    help: 'Token requests refused, by grant type and RFC 6749 error code.',
    labelNames: ['grant_type', 'error'],
    registers: [registry],
  });
  const reuse = new Counter({
    name: 'auth_refresh_reuse_detected_total',
    help: 'Used refresh tokens presented again; each revoked its whole family.',
    registers: [registry],
  });
  const graced = new Counter({
    name: 'auth_refresh_reuse_grace_total',
    help: 'Just-rotated refresh tokens presented again within the reuse grace; each got its successor back.',
    registers: [registry],
  });
  // Zero series exist from the start, so rate() works before the first event.
  for (const grantType of ['password', 'refresh_token', 'client_credentials'])
    issued.inc({ grant_type: grantType }, 0);
  reuse.inc(0);
  graced.inc(0);
  return {
    tokenIssued: (grantType) => issued.inc({ grant_type: grantType }),
    tokenRefused: (grantType, error) => refused.inc({ grant_type: grantType, error }),
    refreshReuseDetected: () => reuse.inc(),
    refreshReplayedWithinGrace: () => graced.inc(),
  };
}
