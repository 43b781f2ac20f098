import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { OrderStatus } from '@marketshare/platform/contracts';
import { call, type OrdersTestApp } from './orders-harness.js';

export interface PlacedOrder {
  id: string;
  sellerId: string;
  status: string;
}

/** Checks out `productIds` (one unit each) for `consumer` through the API; one order per seller. */
export async function placeOrder(
  app: OrdersTestApp,
  consumer: string,
  productIds: string[],
): Promise<PlacedOrder[]> {
  const response = await call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
    json: { items: productIds.map((productId) => ({ productId, quantity: 1 })) },
    headers: { 'idempotency-key': randomUUID() },
  });
  assert.equal(response.status, 201, response.text);
  return (response.body as { orders: PlacedOrder[] }).orders;
}

/** Moves an order along the way its seller (or, to cancel, its consumer) does through the API. */
export async function moveOrder(app: OrdersTestApp, order: PlacedOrder, to: OrderStatus, consumer?: string) {
  const token =
    to === 'CANCELLED' && consumer ? app.consumerToken(consumer) : app.sellerToken(order.sellerId);
  const response = await call(app, 'POST', `/api/orders/${order.id}/status`, token, { json: { status: to } });
  assert.equal(response.status, 200, response.text);
}

/** A DELIVERED order of `consumer` containing a new product of `seller`: the right to review it. */
export async function deliveredProduct(app: OrdersTestApp, consumer: string, seller: string) {
  const product = app.products.addProduct({ sellerId: seller, stock: 100 });
  const [order] = await placeOrder(app, consumer, [product.id]);
  assert.ok(order);
  await moveOrder(app, order, 'IN_DELIVERY');
  await moveOrder(app, order, 'DELIVERED');
  return { product, order };
}
