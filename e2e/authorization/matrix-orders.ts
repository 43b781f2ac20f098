/** ms-orders' routes in the authorization matrix. */
import { randomUUID } from 'node:crypto';
import { guarded, outcomes, REVOKED, type RouteCase } from './types.js';

const CONSUMERS_OK = (status: number) => ({ consumerA: status, consumerB: status });
const PEOPLE_OK = (status: number) => ({ ...CONSUMERS_OK(status), sellerA: status, sellerB: status });

const OWN_CART = 'A cart belongs to its token\'s subject: there is no "another\'s cart" to try.';
const HIDES_ORDERS = "Another's order answers 404, as if it did not exist; admins have no orders (403).";

export const ORDERS_ROUTES: RouteCase[] = [
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/cart',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(200)),
    request: () => ({ path: '/api/cart' }),
    note: OWN_CART,
  },
  {
    service: 'ms-orders',
    method: 'put',
    path: '/api/cart/items/{productId}',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(200)),
    request: (fixtures) => ({ path: `/api/cart/items/${fixtures.product}`, json: { quantity: 1 } }),
    note: OWN_CART,
  },
  {
    service: 'ms-orders',
    method: 'delete',
    path: '/api/cart/items/{productId}',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(204)),
    request: (fixtures) => ({ path: `/api/cart/items/${fixtures.product}` }),
    note: OWN_CART,
  },
  {
    service: 'ms-orders',
    method: 'delete',
    path: '/api/cart',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(204)),
    request: () => ({ path: '/api/cart' }),
    note: OWN_CART,
  },
  {
    service: 'ms-orders',
    method: 'post',
    path: '/api/orders/checkout',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(201)),
    request: (fixtures) => ({
      path: '/api/orders/checkout',
      headers: { 'idempotency-key': randomUUID() },
      json: { items: [{ productId: fixtures.product, quantity: 1 }] },
    }),
    note: "Each consumer buys one unit of seller A's product (payments are approved in the e2e stack).",
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/orders',
    via: 'gateway',
    expect: guarded(PEOPLE_OK(200)),
    request: () => ({ path: '/api/orders?limit=1' }),
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/orders/{id}',
    via: 'gateway',
    expect: guarded({ consumerA: 200, consumerB: 404, sellerA: 200, sellerB: 404 }),
    request: (fixtures) => ({ path: `/api/orders/${fixtures.order}` }),
    note: HIDES_ORDERS,
  },
  {
    service: 'ms-orders',
    method: 'post',
    path: '/api/orders/{id}/status',
    via: 'gateway',
    expect: guarded({ consumerA: 200, consumerB: 404, sellerA: 200, sellerB: 404 }),
    request: async (fixtures, who) => {
      const owner = who === 'consumerA' || who === 'sellerA';
      const seller = who === 'sellerA' || who === 'sellerB';
      return {
        path: `/api/orders/${owner ? await fixtures.freshOrder() : fixtures.order}/status`,
        // The move each side may make: the seller ships, the consumer cancels.
        json: { status: seller ? 'IN_DELIVERY' : 'CANCELLED' },
      };
    },
    note: `${HIDES_ORDERS} The owners move a fresh order of their own (seller ships, consumer cancels).`,
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/orders/{id}/events',
    via: 'gateway',
    expect: guarded({ consumerA: 200, consumerB: 404, sellerA: 200, sellerB: 404 }),
    request: (fixtures) => ({
      path: `/api/orders/${fixtures.order}/events`,
      headers: { accept: 'text/event-stream' },
    }),
    note: `${HIDES_ORDERS} The stream is closed as soon as its head has arrived.`,
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/analytics/consumer',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(200)),
    request: () => ({ path: '/api/analytics/consumer' }),
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/analytics/seller',
    via: 'gateway',
    expect: guarded({ sellerA: 200, sellerB: 200 }),
    request: () => ({ path: '/api/analytics/seller' }),
  },
  {
    service: 'ms-orders',
    method: 'post',
    path: '/api/reviews',
    via: 'gateway',
    expect: guarded({ consumerA: 201, consumerB: 403 }),
    request: (fixtures) => ({
      path: '/api/reviews',
      json: { productId: fixtures.deliveredProduct, rating: 5, text: 'Arrived as described.' },
    }),
    note: 'Only a consumer who received the product may review it: consumer A did; consumer B gets 403 review_not_allowed.',
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/reviews',
    via: 'gateway',
    expect: outcomes(200, { deactivated: REVOKED }),
    request: (fixtures) => ({ path: `/api/reviews?productId=${fixtures.deliveredProduct}` }),
  },
  {
    service: 'ms-orders',
    method: 'get',
    path: '/api/reviews/mine',
    via: 'gateway',
    expect: guarded(CONSUMERS_OK(200)),
    request: () => ({ path: '/api/reviews/mine' }),
  },
];
