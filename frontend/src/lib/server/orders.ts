/**
 * The consumer's calls to ms-orders (cart, checkout, orders, reviews, analytics), and the seller
 * names ms-users shows publicly, each through `locals.api` so the session's token goes along.
 */
import { error } from '@sveltejs/kit';
import { toCart, toConsumerAnalytics, toOrder, toOrderPage, toOrders } from '$lib/orders';
import type { Cart, ConsumerAnalytics, Order, OrderPage, OrderStatus } from '$lib/orders';
import type { Api } from './api.js';
import { field } from './upstream.js';
import type { UpstreamResponse } from './upstream.js';

/** What a refusal says: its stable code, its human detail, and a message per form field. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  fields: Record<string, string>;
}

export function problemOf(response: UpstreamResponse): Problem {
  const fields: Record<string, string> = {};
  const errors = field(response.body, 'errors');
  for (const entry of Array.isArray(errors) ? errors : []) {
    const name = field(entry, 'field');
    const message = field(entry, 'message');
    if (typeof name !== 'string' || typeof message !== 'string') continue;
    // 'body.rating' and 'rating' both belong to the input named rating.
    const input = name.replace(/^body\./, '').split('.')[0] ?? name;
    fields[input] ??= message;
  }
  const code = field(response.body, 'code');
  const detail = field(response.body, 'detail');
  return {
    status: response.status,
    code: typeof code === 'string' ? code : 'unknown',
    detail: typeof detail === 'string' ? detail : 'The request could not be completed.',
    fields,
  };
}

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A load cannot go on without this answer: anything but `ok` becomes the error page. */
function expect(response: UpstreamResponse, ok: number, what: string): unknown {
  if (response.status === ok) return response.body;
  if (response.status === 404) error(404, `${what} was not found.`);
  error(502, `${what} could not be loaded. Please try again.`);
}

export async function loadCart(api: Api): Promise<Cart> {
  const response = await api('ms-orders', { route: '/api/cart', path: '/api/cart' });
  return toCart(expect(response, 200, 'Your cart'));
}

export type Outcome = { ok: true } | { ok: false; problem: Problem };

const outcome = (response: UpstreamResponse, ok: number[]): Outcome =>
  ok.includes(response.status) ? { ok: true } : { ok: false, problem: problemOf(response) };

export async function setQuantity(api: Api, productId: string, quantity: number): Promise<Outcome> {
  const response = await api('ms-orders', {
    method: 'PUT',
    route: '/api/cart/items/:productId',
    path: `/api/cart/items/${encodeURIComponent(productId)}`,
    ...json({ quantity }),
  });
  return outcome(response, [200]);
}

export async function removeLine(api: Api, productId: string): Promise<Outcome> {
  const response = await api('ms-orders', {
    method: 'DELETE',
    route: '/api/cart/items/:productId',
    path: `/api/cart/items/${encodeURIComponent(productId)}`,
  });
  return outcome(response, [204]);
}

export async function clearCart(api: Api): Promise<Outcome> {
  const response = await api('ms-orders', { method: 'DELETE', route: '/api/cart', path: '/api/cart' });
  return outcome(response, [204]);
}

export type CheckoutResult = { ok: true; orders: Order[] } | { ok: false; problem: Problem };

/** The cart checked out under this attempt's key: a replay of the key gets the same orders. */
export async function checkout(api: Api, idempotencyKey: string): Promise<CheckoutResult> {
  const call = () =>
    api('ms-orders', {
      method: 'POST',
      route: '/api/orders/checkout',
      path: '/api/orders/checkout',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: '{}',
    });
  let response = await call();
  // The first submit of a double click may still be running: wait for it and take its answer.
  for (let attempt = 0; attempt < 5 && response.status === 409; attempt += 1) {
    if (field(response.body, 'code') !== 'checkout_in_progress') break;
    await new Promise((resolve) => setTimeout(resolve, 400));
    response = await call();
  }
  if (response.status !== 201) return { ok: false, problem: problemOf(response) };
  return { ok: true, orders: toOrders(field(response.body, 'orders')) };
}

export async function listOrders(
  api: Api,
  query: { status: OrderStatus | null; cursor: string | null; limit: number },
): Promise<OrderPage> {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.status !== null) params.set('status', query.status);
  if (query.cursor !== null) params.set('cursor', query.cursor);
  const response = await api('ms-orders', { route: '/api/orders', path: `/api/orders?${params}` });
  // A tampered cursor is the user's URL, not our failure: start from the first page instead.
  if (response.status === 400 && query.cursor !== null) return listOrders(api, { ...query, cursor: null });
  return toOrderPage(expect(response, 200, 'Your orders'));
}

export async function loadOrder(api: Api, id: string): Promise<Order> {
  const response = await api('ms-orders', {
    route: '/api/orders/:id',
    path: `/api/orders/${encodeURIComponent(id)}`,
  });
  // An id that cannot be an order id is answered 400: for the visitor it is just not there.
  if (response.status === 400) error(404, 'This order was not found.');
  const order = toOrder(expect(response, 200, 'This order'));
  if (order === null) error(502, 'This order could not be read.');
  return order;
}

export async function cancelOrder(api: Api, id: string): Promise<Outcome> {
  const response = await api('ms-orders', {
    method: 'POST',
    route: '/api/orders/:id/status',
    path: `/api/orders/${encodeURIComponent(id)}/status`,
    ...json({ status: 'CANCELLED' }),
  });
  return outcome(response, [200]);
}

export async function createReview(
  api: Api,
  review: { productId: string; rating: number; text: string },
): Promise<Outcome> {
  const response = await api('ms-orders', {
    method: 'POST',
    route: '/api/reviews',
    path: '/api/reviews',
    ...json(review),
  });
  return outcome(response, [201]);
}

/** The products of these the consumer has reviewed already (their reviews list, one page). */
export async function reviewedProducts(api: Api, productIds: readonly string[]): Promise<Set<string>> {
  const reviewed = new Set<string>();
  await Promise.all(
    productIds.map(async (productId) => {
      const response = await api('ms-orders', {
        route: '/api/reviews/mine',
        path: `/api/reviews/mine?productId=${encodeURIComponent(productId)}&limit=1`,
      });
      const items = field(response.body, 'items');
      if (response.status === 200 && Array.isArray(items) && items.length > 0) reviewed.add(productId);
    }),
  );
  return reviewed;
}

export async function loadConsumerAnalytics(api: Api): Promise<ConsumerAnalytics> {
  const response = await api('ms-orders', {
    route: '/api/analytics/consumer',
    path: '/api/analytics/consumer',
  });
  return toConsumerAnalytics(expect(response, 200, 'Your analytics'));
}

/** Sellers' company names from their public profiles; an unknown seller keeps a short id. */
export async function sellerNames(api: Api, sellerIds: readonly string[]): Promise<Record<string, string>> {
  const unique = [...new Set(sellerIds)];
  const entries = await Promise.all(
    unique.map(async (id): Promise<[string, string]> => {
      const fallback = `Seller ${id.slice(0, 8)}`;
      if (id === 'unknown') return [id, 'Unavailable products'];
      const response = await api('ms-users', {
        route: '/api/users/sellers/:id',
        path: `/api/users/sellers/${encodeURIComponent(id)}`,
      }).catch(() => null);
      const name = field(response?.body, 'companyName');
      return [id, response?.status === 200 && typeof name === 'string' ? name : fallback];
    }),
  );
  return Object.fromEntries(entries);
}
