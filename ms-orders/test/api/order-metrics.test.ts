import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { moveOrder, placeOrder } from '../support/deliveries.js';
import { startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

function ordersGauge(exposition: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of exposition.matchAll(/^orders\{status="([A-Z_]+)"[^}]*\} (\d+)$/gm)) {
    values.set(match[1] ?? '', Number(match[2]));
  }
  return values;
}

describe('ms-orders metrics: orders by status', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });

  it('counts the stored orders by status when scraped, every status listed', async () => {
    const before = ordersGauge((await httpRequest(`${app.url}/metrics`)).text);
    assert.deepEqual([...before.keys()].sort(), [
      'CANCELLED',
      'DELIVERED',
      'IN_DELIVERY',
      'OUT_OF_STOCK',
      'RECEIVED',
      'REJECTED',
    ]);
    assert.ok([...before.values()].every((count) => count === 0));

    const consumer = `c-${randomUUID()}`;
    const seller = `s-${randomUUID()}`;
    const products = [1, 2, 3].map(() => app.products.addProduct({ sellerId: seller, stock: 5 }).id);
    const orders = await Promise.all(products.map((id) => placeOrder(app, consumer, [id])));
    const [first, second] = orders.flat();
    assert.ok(first && second);
    await moveOrder(app, first, 'IN_DELIVERY');
    await moveOrder(app, second, 'CANCELLED', consumer);
    const sold = app.products.addProduct({ sellerId: seller, stock: 0 });
    const refused = await placeOrder(app, consumer, [sold.id]);
    assert.equal(refused[0]?.status, 'OUT_OF_STOCK');

    const after = ordersGauge((await httpRequest(`${app.url}/metrics`)).text);
    assert.deepEqual(Object.fromEntries(after), {
      RECEIVED: 1,
      IN_DELIVERY: 1,
      DELIVERED: 0,
      CANCELLED: 1,
      REJECTED: 0,
      OUT_OF_STOCK: 1,
    });
  });
});
