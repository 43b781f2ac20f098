import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

interface OrderBody {
  id: string;
  sellerId: string;
  status: string;
  totalMinor: number;
  platformFeeMinor: number;
  currency: string;
  items: { productId: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }[];
}
const ordersOf = (body: unknown) => (body as { orders: OrderBody[] }).orders;
const codeOf = (body: unknown) => (body as { code?: string }).code;

describe('ms-orders checkout', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });
  afterEach(() => {
    app.products.mode = 'normal';
    app.payments.approvalProbability = 1;
  });

  const checkout = (consumer: string, body: unknown, key: string | null = randomUUID()) =>
    call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
      json: body,
      headers: key === null ? {} : { 'idempotency-key': key },
    });

  it('splits the cart into one order per seller, with the 2 % fee capped at 5.00, and empties the cart', async () => {
    const consumer = `c-${randomUUID()}`;
    const cheap = app.products.addProduct({ sellerId: 'seller-a', priceMinor: 1234, stock: 5 });
    const other = app.products.addProduct({ sellerId: 'seller-a', priceMinor: 1, stock: 5 });
    const dear = app.products.addProduct({ sellerId: 'seller-b', priceMinor: 40_000, stock: 5 });
    for (const [product, quantity] of [
      [cheap, 2],
      [other, 1],
      [dear, 1],
    ] as const) {
      const put = await call(app, 'PUT', `/api/cart/items/${product.id}`, app.consumerToken(consumer), {
        json: { quantity },
      });
      assert.equal(put.status, 200, put.text);
    }
    const response = await checkout(consumer, {});
    assert.equal(response.status, 201, response.text);
    const orders = ordersOf(response.body);
    assert.equal(orders.length, 2);
    const a = orders.find((order) => order.sellerId === 'seller-a');
    const b = orders.find((order) => order.sellerId === 'seller-b');
    assert.ok(a && b);
    assert.equal(a.status, 'RECEIVED');
    assert.equal(a.totalMinor, 2 * 1234 + 1);
    assert.equal(a.platformFeeMinor, 49); // 2 % of 2469 = 49.38
    assert.equal(b.totalMinor, 40_000);
    assert.equal(b.platformFeeMinor, 500); // 800 capped
    assert.equal(app.products.products.get(cheap.id)?.stock, 3);
    assert.equal(app.products.reservations.get(a.id)?.status, 'reserved');
    const cart = await call(app, 'GET', '/api/cart', app.consumerToken(consumer));
    assert.deepEqual((cart.body as { items: unknown[] }).items, []);
    const stored = await app.models.orders.findById(a.id).lean();
    assert.equal(stored?.outbox.length, 1);
    assert.equal(stored?.outbox[0]?.type, 'order.created');
  });

  it('reserves with ms-orders’ client-credentials token carrying stock:reserve', async () => {
    const product = app.products.addProduct();
    const response = await checkout(`c-${randomUUID()}`, { items: [{ productId: product.id, quantity: 1 }] });
    assert.equal(response.status, 201, response.text);
    const caller = app.products.callers.at(-1);
    assert.equal(caller?.kind, 'service');
    assert.equal(caller?.clientId, 'ms-orders');
    assert.ok(caller?.scopes.has('stock:reserve'));
  });

  it('creates an OUT_OF_STOCK order when the reservation is refused, leaving the other seller’s order', async () => {
    const scarce = app.products.addProduct({ sellerId: 'seller-x', stock: 1 });
    const plenty = app.products.addProduct({ sellerId: 'seller-y', stock: 9 });
    const response = await checkout(`c-${randomUUID()}`, {
      items: [
        { productId: scarce.id, quantity: 2 },
        { productId: plenty.id, quantity: 1 },
      ],
    });
    assert.equal(response.status, 201, response.text);
    const orders = ordersOf(response.body);
    assert.equal(orders.find((order) => order.sellerId === 'seller-x')?.status, 'OUT_OF_STOCK');
    assert.equal(orders.find((order) => order.sellerId === 'seller-x')?.platformFeeMinor, 0);
    assert.equal(orders.find((order) => order.sellerId === 'seller-y')?.status, 'RECEIVED');
    assert.equal(app.products.products.get(scarce.id)?.stock, 1);
  });

  it('creates a REJECTED order and releases its stock when the payment is refused', async () => {
    app.payments.approvalProbability = 0;
    const product = app.products.addProduct({ stock: 4 });
    const response = await checkout(`c-${randomUUID()}`, { items: [{ productId: product.id, quantity: 3 }] });
    assert.equal(response.status, 201, response.text);
    const [order] = ordersOf(response.body);
    assert.equal(order?.status, 'REJECTED');
    assert.equal(app.products.reservations.get(order?.id ?? '')?.status, 'released');
    assert.equal(app.products.products.get(product.id)?.stock, 4);
  });

  describe('Idempotency-Key', () => {
    it('answers 20 concurrent replays with the same orders, reserving once', async () => {
      const consumer = `c-${randomUUID()}`;
      const product = app.products.addProduct({ stock: 50 });
      const key = randomUUID();
      const body = { items: [{ productId: product.id, quantity: 2 }] };
      const responses = await Promise.all(Array.from({ length: 20 }, () => checkout(consumer, body, key)));
      for (const response of responses) assert.equal(response.status, 201, response.text);
      const ids = new Set(responses.map((response) => ordersOf(response.body)[0]?.id));
      assert.equal(ids.size, 1);
      assert.deepEqual(
        responses.map((response) => response.body),
        responses.map(() => responses[0]?.body),
      );
      assert.equal(await app.models.orders.countDocuments({ consumerId: consumer }), 1);
      assert.equal(app.products.products.get(product.id)?.stock, 48);
      const [id] = ids;
      assert.equal(app.products.reserveCalls.filter((orderId) => orderId === id).length, 1);
    });

    it('refuses the same key with another body (422) and changes nothing', async () => {
      const consumer = `c-${randomUUID()}`;
      const product = app.products.addProduct({ stock: 50 });
      const key = randomUUID();
      const first = await checkout(consumer, { items: [{ productId: product.id, quantity: 1 }] }, key);
      assert.equal(first.status, 201);
      const second = await checkout(consumer, { items: [{ productId: product.id, quantity: 2 }] }, key);
      assert.equal(second.status, 422);
      assert.equal(codeOf(second.body), 'idempotency_key_reused');
      assert.equal(app.products.products.get(product.id)?.stock, 49);
      assert.equal(await app.models.orders.countDocuments({ consumerId: consumer }), 1);
    });

    it('requires the header (400)', async () => {
      const product = app.products.addProduct();
      const response = await checkout(
        `c-${randomUUID()}`,
        { items: [{ productId: product.id, quantity: 1 }] },
        null,
      );
      assert.equal(response.status, 400);
      assert.equal(codeOf(response.body), 'validation_failed');
      assert.match(
        JSON.stringify(response.body),
        /"field":"headers\.idempotency-key","message":"is required"/,
      );
    });

    type Parameter = { name: string; in: string; required: boolean };
    it('declares the header in its OpenAPI document, as required', async () => {
      const response = await fetch(`${app.url}/api/orders/openapi.json`);
      const document: { paths: Record<string, { post: { parameters: Parameter[] } }> } = JSON.parse(
        await response.text(),
      );
      const parameters = document.paths['/api/orders/checkout']?.post.parameters ?? [];
      assert.deepEqual(
        parameters
          .filter((parameter) => parameter.in === 'header')
          .map(({ name, required }) => ({ name, required })),
        [{ name: 'idempotency-key', required: true }],
      );
    });

    it('keeps keys per consumer', async () => {
      const product = app.products.addProduct({ stock: 10 });
      const key = randomUUID();
      const body = { items: [{ productId: product.id, quantity: 1 }] };
      const one = await checkout(`c-${randomUUID()}`, body, key);
      const two = await checkout(`c-${randomUUID()}`, body, key);
      assert.notEqual(ordersOf(one.body)[0]?.id, ordersOf(two.body)[0]?.id);
    });
  });

  it('refuses sellers (403) and an empty cart (409)', async () => {
    const product = app.products.addProduct();
    const seller = await call(app, 'POST', '/api/orders/checkout', app.sellerToken('seller-1'), {
      json: { items: [{ productId: product.id, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(seller.status, 403);
    const empty = await checkout(`c-${randomUUID()}`, {});
    assert.equal(empty.status, 409);
    assert.equal(codeOf(empty.body), 'cart_empty');
  });

  describe('when ms-products fails', () => {
    it('answers 503 fast when reservations hang, stores nothing and releases by order id', async () => {
      const consumer = `c-${randomUUID()}`;
      const product = app.products.addProduct({ stock: 5 });
      app.products.mode = 'slow_reservations';
      const started = Date.now();
      const response = await checkout(consumer, { items: [{ productId: product.id, quantity: 1 }] });
      assert.equal(response.status, 503, response.text);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.ok(Date.now() - started < 10_000, 'bounded by the products timeout');
      assert.equal(await app.models.orders.countDocuments({ consumerId: consumer }), 0);
      const orderId = app.products.reserveCalls.at(-1);
      assert.ok(orderId && app.products.releaseCalls.includes(orderId), 'a release was attempted');
      // The release answered 404 (the reservation had not landed), so the sweep keeps it.
      assert.equal(await app.models.outstandingReleases.countDocuments({ _id: orderId }), 1);
      // The key is free again: the same request may be retried.
      assert.equal(await app.models.checkouts.countDocuments({ consumerId: consumer }), 0);
    });

    it('answers 503 when ms-products answers 503, storing nothing', async () => {
      const consumer = `c-${randomUUID()}`;
      const product = app.products.addProduct({ stock: 5 });
      app.products.mode = 'failing';
      const response = await checkout(consumer, { items: [{ productId: product.id, quantity: 1 }] });
      assert.equal(response.status, 503, response.text);
      assert.equal(await app.models.orders.countDocuments({ consumerId: consumer }), 0);
      assert.equal(app.products.products.get(product.id)?.stock, 5);
    });
  });
});

describe('ms-orders checkout with ms-products unreachable', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    // A port nothing listens on: connections are refused at once.
    app = await startOrdersApp({ PRODUCTS_URL: 'http://127.0.0.1:9' });
  });
  after(async () => {
    await app?.stop();
  });

  it('answers 503 within the timeout and stores no order', async () => {
    const consumer = `c-${randomUUID()}`;
    const started = Date.now();
    const response = await call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
      json: { items: [{ productId: randomUUID(), quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(response.status, 503, response.text);
    assert.ok(Date.now() - started < 10_000, 'bounded by the products timeout');
    assert.equal(await app.models.orders.countDocuments({}), 0);
    assert.equal(await app.models.checkouts.countDocuments({}), 0);
  });
});
