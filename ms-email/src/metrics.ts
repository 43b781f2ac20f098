import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';
import { emailTypes } from './domain/notifications.js';
import type { EmailMetrics, EmailOutcome } from './domain/ports.js';

/** The domain's counters on the app's registry (one per app: tests run several in a process). */
export function createEmailMetrics(registry: MetricsRegistry): EmailMetrics {
  const emails = new Counter({
    name: 'emails_total',
    help: 'Emails by type and outcome: sent, failed (an attempt that will be retried), duplicate, dead, skipped (no email needed or possible)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const sendDuration = new Histogram({
    name: 'email_send_duration_seconds',
    help: 'Time the SMTP server took to accept (or refuse) one email',
    labelNames: ['type', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // Zero series from the start, so dashboards and rate() see every outcome before it happens.
  for (const type of emailTypes()) {
    for (const outcome of ['sent', 'failed', 'duplicate', 'dead', 'skipped'] satisfies EmailOutcome[]) {
      emails.inc({ type, outcome }, 0);
    }
  }
  return {
    outcome: (type, outcome) => emails.inc({ type, outcome }),
    sendDuration: (type, outcome, seconds) => sendDuration.observe({ type, outcome }, seconds),
  };
}
