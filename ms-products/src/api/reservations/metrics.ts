import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';
import type { ReservationMetrics, ReservationOutcome } from '../../domain/stock/ports.js';

const OUTCOMES: readonly ReservationOutcome[] = [
  'reserved',
  'rejected',
  'duplicate',
  'conflict',
  'released',
  'committed',
  'confirmed',
  'expired',
  'error',
];

// prom-client refuses a metric name twice on one registry; an app built twice on the same
// registry (tests) gets the same metrics back.
const byRegistry = new WeakMap<MetricsRegistry, ReservationMetrics>();

/** stock_reservations_total{outcome} and stock_reservation_duration_seconds{outcome}. */
export function reservationMetrics(registry: MetricsRegistry): ReservationMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const total = new Counter({
    name: 'stock_reservations_total',
    help: 'Stock reservation operations by outcome: reserved, rejected (refused for stock), duplicate (a retry answered from the stored reservation), conflict, released, committed (hold ended by ms-orders), confirmed, expired (hold released by the sweep), error',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'stock_reservation_duration_seconds',
    help: 'Time to answer a reserve request, by outcome (the transaction waits on locks of contended products)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Zero series from the start, so rate() and dashboards see every outcome before it happens.
  for (const outcome of OUTCOMES) total.inc({ outcome }, 0);
  const metrics: ReservationMetrics = {
    outcome: (outcome) => total.inc({ outcome }),
    reserveDuration: (outcome, seconds) => duration.observe({ outcome }, seconds),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
