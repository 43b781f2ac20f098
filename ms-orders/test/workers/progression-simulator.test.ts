import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger, parseConfig } from '@marketshare/platform';
import { OrdersConfigSchema } from '../../src/config.js';
import { OrderLifecycle } from '../../src/domain/order-status.js';
import { ordersModels, type OrdersModels } from '../../src/store/models.js';
import { MongoOrderStore } from '../../src/store/orders-store.js';
import { MongoProgressionStore } from '../../src/store/progression-store.js';
import { HttpProductsClient } from '../../src/upstream/products-client.js';
import {
  ProgressionSimulator,
  type ProgressionSimulatorOptions,
} from '../../src/workers/progression-simulator.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';
import { eventually, openEventStream } from '../support/sse-client.js';

const logger = createLogger({ service: 'simulator-test', level: 'silent' });

describe('ms-orders progression simulator', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });
  beforeEach(async () => {
    await app.models.orders.deleteMany({});
  });

  function simulatorOn(
    models: OrdersModels,
    options: Omit<ProgressionSimulatorOptions, 'lifecycle' | 'store' | 'logger'>,
  ) {
    const products = new HttpProductsClient({
      baseUrl: app.products.url,
      timeoutMs: 500,
      tokenUrl: `${app.products.url}/token`,
      clientId: 'ms-orders',
      clientSecret: app.products.clientSecret,
    });
    return new ProgressionSimulator({
      lifecycle: new OrderLifecycle(new MongoOrderStore(models), products, logger),
      store: new MongoProgressionStore(models),
      logger,
      ...options,
    });
  }

  async function placeOrders(count: number, consumer = 'buyer', seller = 'shop'): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const product = app.products.addProduct({ sellerId: seller, stock: 5 });
      const response = await call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
        json: { items: [{ productId: product.id, quantity: 1 }] },
        headers: { 'idempotency-key': randomUUID() },
      });
      assert.equal(response.status, 201, response.text);
      const order = (response.body as { orders: { id: string; status: string }[] }).orders[0];
      assert.equal(order?.status, 'RECEIVED');
      ids.push(order.id);
    }
    return ids;
  }

  const stored = async (id: string) => {
    const document = await app.models.orders.findById(id).lean();
    assert.ok(document, `order ${id} exists`);
    return document;
  };

  /** The order went RECEIVED → IN_DELIVERY → DELIVERED, each step once, by the simulator. */
  async function assertDeliveredBySimulator(id: string): Promise<void> {
    const order = await stored(id);
    assert.equal(order.status, 'DELIVERED');
    assert.deepEqual(
      order.statusHistory.map((change) => [change.status, change.by]),
      [
        ['RECEIVED', 'system'],
        ['IN_DELIVERY', 'simulator'],
        ['DELIVERED', 'simulator'],
      ],
    );
    assert.deepEqual(
      order.outbox.map((event) => [event.type, (event.data as { to?: string }).to]),
      [
        ['order.created', undefined],
        ['order.status_changed', 'IN_DELIVERY'],
        ['order.status_changed', 'DELIVERED'],
      ],
    );
    assert.equal(order.version, 2);
    assert.equal(app.products.reservations.get(id)?.status, 'confirmed');
    assert.equal(order.reservationFollowUp, null);
  }

  it('is off by default, with steps up to a minute apart', () => {
    const config = parseConfig(OrdersConfigSchema, { NODE_ENV: 'test' });
    assert.equal(config.ORDER_SIMULATOR_ENABLED, false);
    assert.equal(config.ORDER_SIMULATOR_MAX_INTERVAL_MS, 60_000);
    const enabled = parseConfig(OrdersConfigSchema, { NODE_ENV: 'test', ORDER_SIMULATOR_ENABLED: 'true' });
    assert.equal(enabled.ORDER_SIMULATOR_ENABLED, true);
  });

  it('takes each step a random time (up to the maximum) after the last change, as the seller would', async () => {
    const [id] = await placeOrders(1);
    assert.ok(id);
    let aheadMs = 0;
    const simulator = simulatorOn(app.models, {
      maxIntervalMs: 10_000,
      random: () => 0.5,
      clock: () => new Date(Date.now() + aheadMs),
    });

    const planned = await simulator.runOnce();
    assert.deepEqual([planned.scheduled, planned.advanced], [1, 0]);
    const received = await stored(id);
    assert.equal(received.status, 'RECEIVED');
    const receivedAt = received.statusHistory[0]?.at.getTime() ?? NaN;
    assert.equal(received.simulatedNextAt?.getTime(), receivedAt + 5_000, 'half of the maximum after it');
    assert.deepEqual((await simulator.runOnce()).advanced, 0, 'not before its time');

    aheadMs = 6_000;
    assert.equal((await simulator.runOnce()).advanced, 1);
    assert.equal((await stored(id)).status, 'IN_DELIVERY');
    // In delivery for less than 5 s of real time, but 6 s ahead by the clock: the next step is due.
    assert.equal((await simulator.runOnce()).advanced, 1);
    await assertDeliveredBySimulator(id);
    assert.deepEqual((await simulator.runOnce()).advanced, 0, 'a delivered order stays delivered');
  });

  it('runs on its own with a tiny maximum, and stops cleanly', async () => {
    const ids = await placeOrders(3);
    const simulator = simulatorOn(app.models, { maxIntervalMs: 20 });
    simulator.start();
    try {
      await eventually(
        async () => (await app.models.orders.countDocuments({ status: 'DELIVERED' })) === ids.length,
        'every order delivered',
      );
    } finally {
      await simulator.stop();
    }
    for (const id of ids) await assertDeliveredBySimulator(id);
  });

  it('leaves orders cancelled meanwhile alone', async () => {
    const [kept, cancelled] = await placeOrders(2, 'carol', 'shop-c');
    assert.ok(kept && cancelled);
    let aheadMs = 0;
    const simulator = simulatorOn(app.models, {
      maxIntervalMs: 1_000,
      random: () => 0.5,
      clock: () => new Date(Date.now() + aheadMs),
    });
    assert.equal((await simulator.runOnce()).scheduled, 2);
    const cancel = await call(app, 'POST', `/api/orders/${cancelled}/status`, app.consumerToken('carol'), {
      json: { status: 'CANCELLED' },
    });
    assert.equal(cancel.status, 200, cancel.text);
    const before = await stored(cancelled);

    aheadMs = 60_000;
    for (let pass = 0; pass < 3; pass += 1) await simulator.runOnce();
    await assertDeliveredBySimulator(kept);
    assert.deepEqual(await stored(cancelled), before);
    assert.equal(before.status, 'CANCELLED');
    assert.deepEqual(
      before.statusHistory.map((change) => change.status),
      ['RECEIVED', 'CANCELLED'],
    );
  });

  it("shows its steps on the order's live stream, like a seller's", async () => {
    const [id] = await placeOrders(1, 'dora', 'shop-d');
    assert.ok(id);
    const stream = await openEventStream(`${app.url}/api/orders/${id}/events`, {
      authorization: `Bearer ${app.consumerToken('dora')}`,
    });
    assert.equal(stream.status, 200);
    await stream.next();
    const simulator = simulatorOn(app.models, { maxIntervalMs: 1_000, random: () => 0 });
    for (let pass = 0; pass < 2; pass += 1) await simulator.runOnce();
    assert.equal(await stream.ended, 'end');
    assert.deepEqual(
      stream.events.map(({ id: eventId, data }) => {
        const { status, by } = data as { status: string; by: string };
        return [eventId, status, by];
      }),
      [
        ['1', 'RECEIVED', 'system'],
        ['2', 'IN_DELIVERY', 'simulator'],
        ['3', 'DELIVERED', 'simulator'],
      ],
    );
  });

  describe('two instances on one database', () => {
    /** Another instance's view: its own models over the same database. */
    const otherModels = () =>
      ordersModels(app.models.orders.db.useDb(app.models.orders.db.name, { useCache: false }));

    it('never take a step twice when their passes race', async () => {
      const ids = await placeOrders(8);
      // Every step is due at once, so both instances go for every one of them.
      const first = simulatorOn(app.models, { maxIntervalMs: 1_000, random: () => 0 });
      const second = simulatorOn(otherModels(), { maxIntervalMs: 1_000, random: () => 0 });
      let advanced = 0;
      for (let pass = 0; pass < 6; pass += 1) {
        const passes = await Promise.all([first.runOnce(), second.runOnce()]);
        advanced += passes.reduce((sum, result) => sum + result.advanced, 0);
      }
      assert.equal(advanced, ids.length * 2, 'two steps per order, no more');
      for (const id of ids) await assertDeliveredBySimulator(id);
    });

    it('never take a step twice when both run on their own timers', async () => {
      const ids = await placeOrders(6);
      const instances = [
        simulatorOn(app.models, { maxIntervalMs: 30, wakeIntervalMs: 5 }),
        simulatorOn(otherModels(), { maxIntervalMs: 30, wakeIntervalMs: 5 }),
      ];
      for (const instance of instances) instance.start();
      try {
        await eventually(
          async () => (await app.models.orders.countDocuments({ status: 'DELIVERED' })) === ids.length,
          'every order delivered',
        );
      } finally {
        await Promise.all(instances.map((instance) => instance.stop()));
      }
      for (const id of ids) await assertDeliveredBySimulator(id);
    });
  });
});
