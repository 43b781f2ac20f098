import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { moveOrder, placeOrder } from '../support/deliveries.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

function ordersGauge(exposition: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of exposition.matchAll(/^orders\{status="([A-Z_]+)"[^}]*\} (\d+)$/gm)) {
    values.set(match[1] ?? '', Number(match[2]));
  }
  return values;
}

/** One counter's series by their `outcome` label, as Prometheus would scrape them. */
function byOutcome(exposition: string, name: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const match of exposition.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)`, 'gm'))) {
    const outcome = /outcome="([^"]*)"/.exec(match[1] ?? '')?.[1];
    if (outcome !== undefined) values[outcome] = Number(match[2]);
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

describe('ms-orders metrics: checkouts and payments by outcome', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    // Products cost 10.00 each: six units are over the limit, so their payment is declined.
    app = await startOrdersApp({ PAYMENT_CREDIT_LIMIT_MINOR: '5000' });
  });
  after(async () => {
    await app?.stop();
  });

  const checkout = (consumer: string, body: unknown, key: string = randomUUID()) =>
    call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
      json: body,
      headers: { 'idempotency-key': key },
    });
  const buy = (items: { productId: string; quantity: number }[], key?: string) =>
    checkout(`c-${randomUUID()}`, { items }, key);

  it('counts every checkout request by what became of it, and each payment decision', async () => {
    const scrape = async () => (await httpRequest(`${app.url}/metrics`)).text;
    const before = await scrape();
    assert.deepEqual(byOutcome(before, 'checkouts_total'), {
      placed: 0,
      partially_placed: 0,
      out_of_stock: 0,
      payment_declined: 0,
      replayed: 0,
      refused: 0,
      products_unavailable: 0,
      error: 0,
    });
    assert.deepEqual(byOutcome(before, 'payments_total'), { approved: 0, declined: 0 });

    const widget = app.products.addProduct({ sellerId: 's-1', stock: 50 });
    const soldOut = app.products.addProduct({ sellerId: 's-2', stock: 0 });
    const consumer = `c-${randomUUID()}`;
    const key = randomUUID();
    const placed = await checkout(consumer, { items: [{ productId: widget.id, quantity: 1 }] }, key);
    assert.equal(placed.status, 201, placed.text);
    const replay = await checkout(consumer, { items: [{ productId: widget.id, quantity: 1 }] }, key);
    assert.equal(replay.status, 201, replay.text);
    const partial = await buy([
      { productId: widget.id, quantity: 1 },
      { productId: soldOut.id, quantity: 1 },
    ]);
    assert.equal(partial.status, 201, partial.text);
    assert.equal((await buy([{ productId: soldOut.id, quantity: 1 }])).status, 201);
    const overLimit = await buy([{ productId: widget.id, quantity: 6 }]);
    assert.equal(overLimit.status, 201, overLimit.text);
    assert.match(overLimit.text, /"status":"REJECTED"/);
    assert.equal((await checkout(`c-${randomUUID()}`, {})).status, 409, 'an empty cart');
    app.products.mode = 'failing';
    try {
      assert.equal((await buy([{ productId: widget.id, quantity: 1 }])).status, 503);
    } finally {
      app.products.mode = 'normal';
    }

    const after = await scrape();
    assert.deepEqual(byOutcome(after, 'checkouts_total'), {
      placed: 1,
      partially_placed: 1,
      out_of_stock: 1,
      payment_declined: 1,
      replayed: 1,
      refused: 1,
      products_unavailable: 1,
      error: 0,
    });
    // The replay paid nothing again; the out-of-stock orders never reached payment.
    assert.deepEqual(byOutcome(after, 'payments_total'), { approved: 2, declined: 1 });
  });
});
