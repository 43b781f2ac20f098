import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

interface OrderBody {
  id: string;
  status: string;
  statusHistory: { status: string; by: string }[];
}
const codeOf = (body: unknown) => (body as { code?: string }).code;

describe('ms-orders orders: ownership, status machine, listing', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });

  /** One RECEIVED order of `consumer` from `seller` for 2 units. */
  async function placeOrder(consumer: string, seller: string) {
    const product = app.products.addProduct({ sellerId: seller, stock: 10 });
    const response = await call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
      json: { items: [{ productId: product.id, quantity: 2 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(response.status, 201, response.text);
    const order = (response.body as { orders: OrderBody[] }).orders[0];
    assert.ok(order);
    return { order, product };
  }
  const setStatus = (id: string, token: string, status: string) =>
    call(app, 'POST', `/api/orders/${id}/status`, token, { json: { status } });

  it('shows an order to its consumer and its seller only (404 for anyone else)', async () => {
    const { order } = await placeOrder('alice', 'shop-1');
    assert.equal((await call(app, 'GET', `/api/orders/${order.id}`, app.consumerToken('alice'))).status, 200);
    assert.equal((await call(app, 'GET', `/api/orders/${order.id}`, app.sellerToken('shop-1'))).status, 200);
    const otherConsumer = await call(app, 'GET', `/api/orders/${order.id}`, app.consumerToken('bob'));
    assert.equal(otherConsumer.status, 404);
    assert.equal(codeOf(otherConsumer.body), 'order_not_found');
    assert.equal((await call(app, 'GET', `/api/orders/${order.id}`, app.sellerToken('shop-2'))).status, 404);
    assert.equal((await setStatus(order.id, app.sellerToken('shop-2'), 'IN_DELIVERY')).status, 404);
    assert.equal((await setStatus(order.id, app.consumerToken('bob'), 'CANCELLED')).status, 404);
  });

  it('lets the seller advance RECEIVED → IN_DELIVERY → DELIVERED, keeping the history and events', async () => {
    const { order } = await placeOrder('carol', 'shop-3');
    const seller = app.sellerToken('shop-3');
    const shipped = await setStatus(order.id, seller, 'IN_DELIVERY');
    assert.equal(shipped.status, 200, shipped.text);
    const delivered = await setStatus(order.id, seller, 'DELIVERED');
    assert.equal(delivered.status, 200, delivered.text);
    const body = delivered.body as OrderBody;
    assert.deepEqual(
      body.statusHistory.map((change) => [change.status, change.by]),
      [
        ['RECEIVED', 'system'],
        ['IN_DELIVERY', 'shop-3'],
        ['DELIVERED', 'shop-3'],
      ],
    );
    const stored = await app.models.orders.findById(order.id).lean();
    assert.deepEqual(
      stored?.outbox.map((event) => event.type),
      ['order.created', 'order.status_changed', 'order.status_changed'],
    );
    assert.equal(app.products.reservations.get(order.id)?.status, 'confirmed');
    assert.equal(stored?.reservationFollowUp, null);
  });

  it('refuses illegal transitions with 409 and changes nothing', async () => {
    const { order } = await placeOrder('dave', 'shop-4');
    const seller = app.sellerToken('shop-4');
    const skip = await setStatus(order.id, seller, 'DELIVERED');
    assert.equal(skip.status, 409);
    assert.equal(codeOf(skip.body), 'illegal_transition');
    assert.equal((await setStatus(order.id, seller, 'IN_DELIVERY')).status, 200);
    assert.equal((await setStatus(order.id, seller, 'IN_DELIVERY')).status, 409);
    assert.equal((await setStatus(order.id, app.consumerToken('dave'), 'CANCELLED')).status, 409);
    const unknown = await setStatus(order.id, seller, 'RECEIVED');
    assert.equal(unknown.status, 400);
    const stored = await app.models.orders.findById(order.id).lean();
    assert.equal(stored?.status, 'IN_DELIVERY');
    assert.equal(stored?.statusHistory.length, 2);
  });

  it('lets consumers cancel only (403 for advancing), releasing the stock', async () => {
    const { order, product } = await placeOrder('erin', 'shop-5');
    assert.equal(app.products.products.get(product.id)?.stock, 8);
    const advance = await setStatus(order.id, app.consumerToken('erin'), 'IN_DELIVERY');
    assert.equal(advance.status, 403);
    assert.equal((await setStatus(order.id, app.sellerToken('shop-5'), 'CANCELLED')).status, 403);
    const cancelled = await setStatus(order.id, app.consumerToken('erin'), 'CANCELLED');
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((cancelled.body as OrderBody).status, 'CANCELLED');
    assert.equal(app.products.products.get(product.id)?.stock, 10);
    assert.equal(app.products.reservations.get(order.id)?.status, 'released');
  });

  it('lets 10 concurrent cancels of one order succeed once', async () => {
    const { order } = await placeOrder('gina', 'shop-7');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => setStatus(order.id, app.consumerToken('gina'), 'CANCELLED')),
    );
    assert.equal(responses.filter((response) => response.status === 200).length, 1);
    assert.equal(responses.filter((response) => response.status === 409).length, 9);
    const stored = await app.models.orders.findById(order.id).lean();
    assert.equal(stored?.outbox.filter((event) => event.type === 'order.status_changed').length, 1);
  });

  it('lists each caller’s own orders newest first, a page at a time', async () => {
    const placed: string[] = [];
    for (let index = 0; index < 5; index += 1) placed.push((await placeOrder('frank', 'shop-6')).order.id);
    await placeOrder('someone-else', 'shop-6');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await call(app, 'GET', `/api/orders${query}`, app.consumerToken('frank'));
      assert.equal(page.status, 200, page.text);
      const body = page.body as { items: OrderBody[]; nextCursor: string | null };
      seen.push(...body.items.map((order) => order.id));
      cursor = body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...placed].reverse());
    const sellerPage = await call(app, 'GET', '/api/orders?limit=100', app.sellerToken('shop-6'));
    assert.equal((sellerPage.body as { items: unknown[] }).items.length, 6);
    const filtered = await call(app, 'GET', '/api/orders?status=CANCELLED', app.consumerToken('frank'));
    assert.deepEqual((filtered.body as { items: unknown[] }).items, []);
  });

  describe('operator injection', () => {
    it('refuses operators and dotted or $ keys in queries and bodies with 400, matching nothing', async () => {
      const { order } = await placeOrder('ivan', 'shop-8');
      const token = app.consumerToken('ivan');
      const attempts = [
        call(app, 'GET', '/api/orders?status[$gt]=', token),
        call(app, 'GET', '/api/orders?status=%7B%22%24gt%22%3A%22%22%7D', token),
        call(app, 'GET', '/api/orders?$where=1', token),
        call(app, 'GET', '/api/orders?consumerId=bob', token),
        call(app, 'GET', '/api/orders?cursor=eyIkZ3QiOiIifQ', token),
        call(app, 'POST', `/api/orders/${order.id}/status`, token, { json: { status: { $gt: '' } } }),
        call(app, 'POST', `/api/orders/${order.id}/status`, token, {
          json: { status: 'CANCELLED', $where: '1' },
        }),
        call(app, 'POST', `/api/orders/${order.id}/status`, token, {
          json: { status: 'CANCELLED', 'a.b': 1 },
        }),
        call(app, 'POST', '/api/orders/checkout', token, {
          json: { items: [{ productId: { $gt: '' }, quantity: 1 }] },
          headers: { 'idempotency-key': randomUUID() },
        }),
        call(app, 'POST', '/api/orders/checkout', token, {
          json: { items: [{ productId: randomUUID(), quantity: { $gt: 0 } }] },
          headers: { 'idempotency-key': randomUUID() },
        }),
        call(app, 'PUT', `/api/cart/items/${randomUUID()}`, token, { json: { quantity: { $gt: 0 } } }),
        call(app, 'PUT', `/api/cart/items/${randomUUID()}`, token, { json: { quantity: 1, $set: {} } }),
        call(app, 'GET', `/api/orders/${encodeURIComponent('{"$gt":""}')}`, token),
      ];
      for (const response of await Promise.all(attempts)) {
        assert.equal(response.status, 400, response.text);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const stored = await app.models.orders.findById(order.id).lean();
      assert.equal(stored?.status, 'RECEIVED');
    });
  });
});
