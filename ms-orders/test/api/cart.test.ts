import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

interface CartBody {
  items: {
    productId: string;
    quantity: number;
    unitPriceMinor: number | null;
    lineTotalMinor: number | null;
    warnings: { code: string; previousUnitPriceMinor?: number; available?: number }[];
  }[];
  totals: { currency: string; totalMinor: number }[];
}

describe('ms-orders cart', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });

  const put = (consumer: string, productId: string, quantity: unknown) =>
    call(app, 'PUT', `/api/cart/items/${productId}`, app.consumerToken(consumer), { json: { quantity } });
  const show = async (consumer: string) => {
    const response = await call(app, 'GET', '/api/cart', app.consumerToken(consumer));
    assert.equal(response.status, 200, response.text);
    return response.body as CartBody;
  };

  it('adds, changes, removes and clears lines, with totals at current prices', async () => {
    const consumer = `c-${randomUUID()}`;
    const a = app.products.addProduct({ priceMinor: 250 });
    const b = app.products.addProduct({ priceMinor: 1000, sellerId: 'seller-2' });
    assert.equal((await put(consumer, a.id, 2)).status, 200);
    assert.equal((await put(consumer, b.id, 1)).status, 200);
    assert.equal((await put(consumer, a.id, 3)).status, 200);
    let cart = await show(consumer);
    assert.deepEqual(
      cart.items.map((item) => [item.productId, item.quantity, item.lineTotalMinor]),
      [
        [a.id, 3, 750],
        [b.id, 1, 1000],
      ],
    );
    assert.deepEqual(cart.totals, [{ currency: 'EUR', totalMinor: 1750 }]);
    const removed = await call(app, 'DELETE', `/api/cart/items/${a.id}`, app.consumerToken(consumer));
    assert.equal(removed.status, 204);
    cart = await show(consumer);
    assert.deepEqual(
      cart.items.map((item) => item.productId),
      [b.id],
    );
    assert.equal((await call(app, 'DELETE', '/api/cart', app.consumerToken(consumer))).status, 204);
    assert.deepEqual((await show(consumer)).items, []);
  });

  it('warns of price changes, unavailable products and too little stock', async () => {
    const consumer = `c-${randomUUID()}`;
    const repriced = app.products.addProduct({ priceMinor: 500 });
    const withdrawn = app.products.addProduct();
    const scarce = app.products.addProduct({ stock: 5 });
    for (const product of [repriced, withdrawn, scarce])
      assert.equal((await put(consumer, product.id, 3)).status, 200);
    repriced.priceMinor = 650;
    withdrawn.status = 'unpublished';
    scarce.stock = 2;
    const cart = await show(consumer);
    const warningsOf = (id: string) => cart.items.find((item) => item.productId === id)?.warnings;
    assert.deepEqual(warningsOf(repriced.id), [
      { code: 'price_changed', previousUnitPriceMinor: 500, previousCurrency: 'EUR' },
    ]);
    assert.deepEqual(warningsOf(withdrawn.id), [{ code: 'unavailable' }]);
    assert.deepEqual(warningsOf(scarce.id), [{ code: 'insufficient_stock', available: 2 }]);
    assert.equal(cart.items.find((item) => item.productId === withdrawn.id)?.unitPriceMinor, null);
  });

  it('keeps carts apart, refuses unknown products (404), bad quantities (400) and sellers (403)', async () => {
    const product = app.products.addProduct();
    assert.equal((await put('one', product.id, 1)).status, 200);
    assert.deepEqual((await show(`c-${randomUUID()}`)).items, []);
    assert.equal((await put('one', randomUUID(), 1)).status, 404);
    assert.equal((await put('one', product.id, 0)).status, 400);
    assert.equal((await put('one', product.id, 1.5)).status, 400);
    assert.equal((await put('one', 'not-a-uuid', 1)).status, 400);
    const seller = await call(app, 'GET', '/api/cart', app.sellerToken('seller-1'));
    assert.equal(seller.status, 403);
  });

  it('adds one line when the same product is put 10 times at once', async () => {
    const consumer = `c-${randomUUID()}`;
    const product = app.products.addProduct();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => put(consumer, product.id, index + 1)),
    );
    for (const response of responses) assert.equal(response.status, 200, response.text);
    assert.equal((await show(consumer)).items.length, 1);
  });

  it('answers 503 when ms-products is unavailable', async () => {
    const consumer = `c-${randomUUID()}`;
    const product = app.products.addProduct();
    assert.equal((await put(consumer, product.id, 1)).status, 200);
    app.products.mode = 'failing';
    try {
      const response = await call(app, 'GET', '/api/cart', app.consumerToken(consumer));
      assert.equal(response.status, 503);
    } finally {
      app.products.mode = 'normal';
    }
  });
});
