import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';
import type { RatingMetrics, RatingOutcome } from '../domain/ratings/ports.js';

const OUTCOMES: readonly RatingOutcome[] = ['applied', 'duplicate', 'product_missing'];
const byRegistry = new WeakMap<MetricsRegistry, RatingMetrics>();

/** product_reviews_applied_total{outcome}: what became of each review.created event handled. */
export function ratingMetrics(registry: MetricsRegistry): RatingMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const total = new Counter({
    name: 'product_reviews_applied_total',
    help: 'review.created events by outcome: applied, duplicate (already counted), product_missing (seller only)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of OUTCOMES) total.inc({ outcome }, 0);
  const metrics: RatingMetrics = { outcome: (outcome) => total.inc({ outcome }) };
  byRegistry.set(registry, metrics);
  return metrics;
}
