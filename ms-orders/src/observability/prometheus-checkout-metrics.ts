import type { MetricsRegistry } from '@marketshare/platform';
import { Counter } from 'prom-client';
import { CHECKOUT_OUTCOMES, PAYMENT_OUTCOMES, type CheckoutMetrics } from '../domain/checkout-metrics.js';

// prom-client refuses a metric name twice on one registry; an app built twice on the same
// registry (tests) gets the same counters back.
const byRegistry = new WeakMap<MetricsRegistry, CheckoutMetrics>();

/** checkouts_total{outcome} and payments_total{outcome}, on the service's own registry. */
export function prometheusCheckoutMetrics(registry: MetricsRegistry): CheckoutMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const checkouts = new Counter({
    name: 'checkouts_total',
    help:
      'Checkout requests by what became of them: placed (every order received), partially_placed, ' +
      'out_of_stock or payment_declined (no order received), replayed (Idempotency-Key answered ' +
      'from the stored response), refused (empty cart, product not for sale, key reused or busy), ' +
      'products_unavailable (ms-products unreachable), error.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const payments = new Counter({
    name: 'payments_total',
    help: 'Payment authorizations by outcome (approved, declined), one per order that had its stock reserved.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Zero series from the start, so rate() and dashboards see every outcome before it happens.
  for (const outcome of CHECKOUT_OUTCOMES) checkouts.inc({ outcome }, 0);
  for (const outcome of PAYMENT_OUTCOMES) payments.inc({ outcome }, 0);
  const metrics: CheckoutMetrics = {
    checkoutFinished: (outcome) => checkouts.inc({ outcome }),
    paymentDecided: (outcome) => payments.inc({ outcome }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
