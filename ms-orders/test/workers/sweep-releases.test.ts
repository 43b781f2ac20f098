import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@marketshare/platform';
import { MongoCheckoutStore, MongoOutstandingReleases } from '../../src/store/checkouts-store.js';
import { MongoOrderStore } from '../../src/store/orders-store.js';
import { HttpProductsClient } from '../../src/upstream/products-client.js';
import { ReleaseSweep } from '../../src/workers/release-sweep.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

const logger = createLogger({ service: 'ms-orders-sweep-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

describe('ms-orders release sweep', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  let sweep: ReleaseSweep;
  let outstanding: MongoOutstandingReleases;

  before(async () => {
    app = await startOrdersApp();
    outstanding = new MongoOutstandingReleases(app.models);
    sweep = new ReleaseSweep({
      orders: new MongoOrderStore(app.models),
      checkouts: new MongoCheckoutStore(app.models),
      outstandingReleases: outstanding,
      products: new HttpProductsClient({
        baseUrl: app.products.url,
        timeoutMs: 500,
        tokenUrl: `${app.products.url}/token`,
        clientId: 'ms-orders',
        clientSecret: app.products.clientSecret,
      }),
      logger,
      intervalMs: 60_000, // passes are run by hand here
      batchSize: 3,
      stuckCheckoutAfterMs: 60_000,
      notFoundSettleMs: 60_000,
    });
  });
  after(async () => {
    await sweep?.stop();
    await app?.stop();
  });
  afterEach(() => {
    app.products.mode = 'normal';
  });

  /** A reservation ms-products holds for an order id no order was stored under. */
  function heldReservation(units: number) {
    const product = app.products.addProduct({ stock: 10 });
    const orderId = randomUUID();
    product.stock -= units;
    app.products.reservations.set(orderId, {
      status: 'reserved',
      items: [
        {
          productId: product.id,
          sellerId: product.sellerId,
          quantity: units,
          unitPriceMinor: product.priceMinor,
          currency: product.currency,
        },
      ],
    });
    return { product, orderId };
  }

  it('retries failed releases once ms-products answers again, then clears them (in bounded batches)', async () => {
    const held = Array.from({ length: 5 }, () => heldReservation(2));
    await outstanding.add(held.map((entry) => entry.orderId));

    app.products.mode = 'failing';
    const failed = await sweep.runOnce();
    assert.equal(failed.released, 0);
    assert.equal(failed.failed, 3, 'one batch of 3 tried');
    assert.equal((await outstanding.listWithSince(100)).length, 5, 'nothing cleared while failing');
    for (const { product } of held) assert.equal(product.stock, 8);

    app.products.mode = 'normal';
    const first = await sweep.runOnce();
    assert.equal(first.released, 3);
    const second = await sweep.runOnce();
    assert.equal(second.released, 2);
    assert.deepEqual(await outstanding.listWithSince(100), []);
    for (const { product, orderId } of held) {
      assert.equal(product.stock, 10, 'stock back');
      assert.equal(app.products.reservations.get(orderId)?.status, 'released');
    }
    // Idempotent: another pass finds nothing and calls nobody.
    const calls = app.products.releaseCalls.length;
    assert.deepEqual(await sweep.runOnce(), { released: 0, followUpsDone: 0, stuckCheckouts: 0, failed: 0 });
    assert.equal(app.products.releaseCalls.length, calls);
  });

  it('keeps a "not found" release until it settles, and never releases a stored order', async () => {
    const unknown = randomUUID();
    await outstanding.add([unknown]);
    await sweep.runOnce();
    assert.deepEqual(
      (await outstanding.listWithSince(100)).map((entry) => entry.orderId),
      [unknown],
      'a reservation may still be on its way',
    );
    await app.models.outstandingReleases.updateOne({ _id: unknown }, { $set: { since: new Date(0) } });
    await sweep.runOnce();
    assert.deepEqual(await outstanding.listWithSince(100), []);

    // An order stored under the id owns its reservation: the entry goes, the stock stays held.
    const product = app.products.addProduct({ sellerId: 'sweep-shop', stock: 5 });
    const placed = await call(app, 'POST', '/api/orders/checkout', app.consumerToken('sweep-owner'), {
      json: { items: [{ productId: product.id, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(placed.status, 201, placed.text);
    const orderId = (placed.body as { orders: { id: string }[] }).orders[0]?.id ?? '';
    await outstanding.add([orderId]);
    await sweep.runOnce();
    assert.deepEqual(await outstanding.listWithSince(100), []);
    assert.equal(app.products.reservations.get(orderId)?.status, 'reserved');
    assert.equal(product.stock, 4);
  });

  it('finishes a cancel whose release failed (reservationFollowUp) once ms-products is back', async () => {
    const product = app.products.addProduct({ sellerId: 'follow-shop', stock: 5 });
    const consumer = app.consumerToken('follow-consumer');
    const placed = await call(app, 'POST', '/api/orders/checkout', consumer, {
      json: { items: [{ productId: product.id, quantity: 3 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(placed.status, 201, placed.text);
    const orderId = (placed.body as { orders: { id: string }[] }).orders[0]?.id ?? '';

    app.products.mode = 'failing';
    const cancelled = await call(app, 'POST', `/api/orders/${orderId}/status`, consumer, {
      json: { status: 'CANCELLED' },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await app.models.orders.findById(orderId).lean())?.reservationFollowUp, 'release');
    assert.equal((await sweep.runOnce()).failed, 1);
    assert.equal(product.stock, 2);

    app.products.mode = 'normal';
    assert.equal((await sweep.runOnce()).followUpsDone, 1);
    assert.equal((await app.models.orders.findById(orderId).lean())?.reservationFollowUp, null);
    assert.equal(product.stock, 5);
  });

  it('releases the pending order ids of a checkout stuck in progress with no order stored', async () => {
    const { product, orderId } = heldReservation(4);
    const recent = heldReservation(1);
    const key = randomUUID();
    await app.models.checkouts.create({
      _id: MongoCheckoutStore.idFor('stuck-consumer', key),
      consumerId: 'stuck-consumer',
      idempotencyKey: key,
      fingerprint: 'f',
      state: 'in_progress',
      pendingOrderIds: [orderId],
      createdAt: new Date(Date.now() - 120_000),
    });
    const liveKey = randomUUID();
    await app.models.checkouts.create({
      _id: MongoCheckoutStore.idFor('live-consumer', liveKey),
      consumerId: 'live-consumer',
      idempotencyKey: liveKey,
      fingerprint: 'f',
      state: 'in_progress',
      pendingOrderIds: [recent.orderId],
      createdAt: new Date(),
    });

    const result = await sweep.runOnce();
    assert.equal(result.stuckCheckouts, 1);
    assert.equal(product.stock, 10);
    assert.equal(app.products.reservations.get(orderId)?.status, 'released');
    assert.equal(
      await app.models.checkouts.countDocuments({ consumerId: 'stuck-consumer' }),
      0,
      'key usable again',
    );
    // A checkout still within its bound is left alone.
    assert.equal(app.products.reservations.get(recent.orderId)?.status, 'reserved');
    assert.equal(await app.models.checkouts.countDocuments({ consumerId: 'live-consumer' }), 1);
  });
});
