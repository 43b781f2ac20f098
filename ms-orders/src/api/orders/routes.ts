import { defineRoute, validationFailed, type Route } from '@marketshare/platform';
import { Checkout } from '../../domain/checkout.js';
import { OrderLifecycle } from '../../domain/order-status.js';
import type { OrdersDeps } from '../../deps.js';
import { prometheusCheckoutMetrics } from '../../observability/prometheus-checkout-metrics.js';
import { MongoCartStore } from '../../store/carts-store.js';
import { MongoCheckoutStore, MongoOutstandingReleases } from '../../store/checkouts-store.js';
import { MongoOrderStore } from '../../store/orders-store.js';
import { actorOf, COMMON_PROBLEMS, consumerOf, problem } from '../shared/problems.js';
import { decodeCursor, encodeCursor, presentCheckout, presentOrder } from './presenters.js';
import {
  ChangeStatusBody,
  CheckoutBody,
  CheckoutView,
  CheckoutHeaders,
  ListOrdersQuery,
  OrderPage,
  OrderParams,
  OrderView,
} from './schemas.js';

const PEOPLE = { roles: ['consumer', 'seller'] } as const;
const NOT_FOUND = { 404: problem("order_not_found (another's order is not found either)") };

function uniqueItems(items: { productId: string; quantity: number }[]) {
  const normalized = items.map((item) => ({
    productId: item.productId.toLowerCase(),
    quantity: item.quantity,
  }));
  const seen = new Set<string>();
  const repeated = normalized.flatMap((item, index) => {
    if (!seen.has(item.productId)) {
      seen.add(item.productId);
      return [];
    }
    return [{ field: `items.${index}.productId`, message: 'repeats an earlier item' }];
  });
  if (repeated.length > 0) throw validationFailed(repeated);
  return normalized;
}

export function orderRoutes(deps: OrdersDeps): Route[] {
  const orders = new MongoOrderStore(deps.models, deps.onEventsWritten);
  const checkout = new Checkout({
    orders,
    carts: new MongoCartStore(deps.models),
    checkouts: new MongoCheckoutStore(deps.models),
    outstandingReleases: new MongoOutstandingReleases(deps.models),
    products: deps.products,
    payments: deps.payments,
    metrics: prometheusCheckoutMetrics(deps.metrics.registry),
    logger: deps.logger,
    present: presentCheckout,
    replayWaitMs: deps.config.IDEMPOTENCY_WAIT_MS,
  });
  const lifecycle = new OrderLifecycle(orders, deps.products, deps.logger);
  return [
    defineRoute({
      method: 'post',
      path: '/api/orders/checkout',
      operationId: 'checkout',
      summary: 'Check out the cart (body {}) or the given items: one order per seller',
      tags: ['orders'],
      auth: { roles: ['consumer'] },
      headers: CheckoutHeaders,
      body: CheckoutBody,
      bodyLimitBytes: 16 * 1024,
      responses: {
        201: {
          description: 'The orders (RECEIVED, OUT_OF_STOCK or REJECTED); a replay gets the same answer',
          schema: CheckoutView,
        },
        ...COMMON_PROBLEMS,
        409: problem('cart_empty, product_unavailable (productIds) or checkout_in_progress'),
        422: problem('idempotency_key_reused: the key came with another body'),
        503: problem('products_unavailable: nothing was ordered and nothing stays reserved'),
      },
      handler: async ({ principal, body, headers }) => {
        const consumerId = consumerOf(principal);
        const idempotencyKey = headers['idempotency-key'];
        const items = body.items === undefined ? undefined : uniqueItems(body.items);
        const response = await checkout.run({ consumerId, idempotencyKey, items });
        return { status: response.status, body: response.body };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders',
      operationId: 'listOrders',
      summary: "The caller's orders, newest first (a consumer's purchases, a seller's sales)",
      tags: ['orders'],
      auth: PEOPLE,
      query: ListOrdersQuery,
      responses: { 200: { description: 'A page', schema: OrderPage }, ...COMMON_PROBLEMS },
      handler: async ({ principal, query }) => {
        const limit = query.limit ?? 20;
        const page = await lifecycle.list(actorOf(principal), {
          limit: limit + 1,
          ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
          ...(query.status ? { status: query.status } : {}),
        });
        const items = page.slice(0, limit);
        const last = items.at(-1);
        return {
          body: {
            items: items.map(presentOrder),
            nextCursor: page.length > limit && last ? encodeCursor(last) : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders/:id',
      operationId: 'getOrder',
      summary: 'One of the caller’s orders with its status history',
      tags: ['orders'],
      auth: PEOPLE,
      params: OrderParams,
      responses: { 200: { description: 'The order', schema: OrderView }, ...COMMON_PROBLEMS, ...NOT_FOUND },
      handler: async ({ principal, params }) => ({
        body: presentOrder(await lifecycle.get(params.id, actorOf(principal))),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/orders/:id/status',
      operationId: 'changeOrderStatus',
      summary:
        'Sellers: RECEIVED → IN_DELIVERY → DELIVERED. Consumers: RECEIVED → CANCELLED (stock released)',
      tags: ['orders'],
      auth: PEOPLE,
      params: OrderParams,
      body: ChangeStatusBody,
      bodyLimitBytes: 1024,
      responses: {
        200: { description: 'The order after the change', schema: OrderView },
        ...COMMON_PROBLEMS,
        ...NOT_FOUND,
        409: problem('illegal_transition (with currentStatus)'),
      },
      handler: async ({ principal, params, body }) => ({
        body: presentOrder(await lifecycle.changeStatus(params.id, actorOf(principal), body.status)),
      }),
    }),
  ];
}
