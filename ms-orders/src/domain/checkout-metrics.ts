import type { OrderStatus } from './orders.js';

/**
 * What became of one checkout request (an HTTP call of POST /api/orders/checkout that passed
 * validation), as `checkouts_total{outcome}` counts it. A closed set, so dashboards and alerts
 * can list every value:
 * - placed: every order of the checkout was RECEIVED (stock reserved, payment approved);
 * - partially_placed: some orders were RECEIVED, others OUT_OF_STOCK or REJECTED;
 * - out_of_stock: no order was RECEIVED and at least one was refused for stock;
 * - payment_declined: no order was RECEIVED and every one was REJECTED by the payment provider;
 * - replayed: a repeated Idempotency-Key answered with the stored response (nothing new happened);
 * - refused: nothing was ordered because of the request (empty cart, a product not for sale,
 *   an Idempotency-Key reused with another body or still running);
 * - products_unavailable: nothing was ordered because ms-products could not be reached;
 * - error: anything else that failed the request.
 */
export const CHECKOUT_OUTCOMES = [
  'placed',
  'partially_placed',
  'out_of_stock',
  'payment_declined',
  'replayed',
  'refused',
  'products_unavailable',
  'error',
] as const;
export type CheckoutOutcome = (typeof CHECKOUT_OUTCOMES)[number];

/** What the payment provider answered for one order's authorization. */
export const PAYMENT_OUTCOMES = ['approved', 'declined'] as const;
export type PaymentOutcome = (typeof PAYMENT_OUTCOMES)[number];

/** What the checkout reports; the prom-client adapter lives in src/observability. */
export interface CheckoutMetrics {
  checkoutFinished(outcome: CheckoutOutcome): void;
  paymentDecided(outcome: PaymentOutcome): void;
}

/** A checkout that created orders, by the statuses they were created with. */
export function outcomeOfCreatedOrders(statuses: readonly OrderStatus[]): CheckoutOutcome {
  const received = statuses.filter((status) => status === 'RECEIVED').length;
  if (received === statuses.length) return 'placed';
  if (received > 0) return 'partially_placed';
  // With nothing placed, stock is the first refusal: an order without stock never reached payment.
  return statuses.includes('OUT_OF_STOCK') ? 'out_of_stock' : 'payment_declined';
}
