import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createTestVhost,
  // The platform's minimal context manager and W3C propagator for tests (no SDK started here).
  ensureTracePropagation,
  newTraceContext,
  startTcpProxy,
  waitFor,
  type TcpProxy,
  type TestVhost,
} from '@marketshare/platform/testing';
import { context } from '@opentelemetry/api';
import { mongoOutboxStore } from '../../src/events/mongo-outbox-store.js';
import { outboxCollections } from '../../src/events/relay.js';
import { MongoOrderStore } from '../../src/store/orders-store.js';
import { deliveredProduct } from '../support/deliveries.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';
import {
  backlogOf,
  oldestEventAgeOf,
  sleep,
  startEventCollector,
  startRelay,
  syntheticOrder,
  type EventCollector,
  type RelayInstance,
  type StoredEvent,
} from '../support/relay-harness.js';

describe('ms-orders events: the single-document outbox relay', function () {
  this.timeout(120_000);
  let app: OrdersTestApp;
  let vhost: TestVhost;
  let proxy: TcpProxy;
  let collector: EventCollector;
  let cutOff: RelayInstance;
  const extraRelays: RelayInstance[] = [];

  before(async () => {
    // This suite is about the relay: a roomy ms-products timeout keeps a busy machine from failing checkouts.
    app = await startOrdersApp({ PRODUCTS_TIMEOUT_MS: '5000' });
    vhost = await createTestVhost('orders_events');
    // The collector reads the vhost directly; only the relay's connection goes through the proxy.
    collector = await startEventCollector(vhost.url);
    const broker = new URL(vhost.url);
    proxy = await startTcpProxy(Number(broker.port || 5672), broker.hostname);
    cutOff = startRelay(app, proxy.rewriteUrl(vhost.url), 25);
  });
  after(async () => {
    for (const instance of [cutOff, ...extraRelays]) await instance?.stop().catch(() => undefined);
    await collector?.close().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await vhost?.drop().catch(() => undefined);
    await app?.stop();
  });

  async function storedEvents(): Promise<Map<string, StoredEvent[]>> {
    const orders = await app.models.orders
      .find({}, { outbox: 1 })
      .lean<{ _id: string; outbox: StoredEvent[] }[]>();
    return new Map(orders.map((order) => [order._id, order.outbox]));
  }

  /** Every stored event was received exactly once, and each order's events in the order written. */
  function assertDeliveredOnceInOrder(byOrder: Map<string, StoredEvent[]>): void {
    const counts = collector.countsById();
    for (const [orderId, events] of byOrder) {
      for (const event of events) assert.equal(counts.get(event.id), 1, `event ${event.id} of ${orderId}`);
      const ids = new Set(events.map((event) => event.id));
      const arrival = collector.received
        .filter((message) => ids.has(message.id))
        .map((message) => message.id);
      assert.deepEqual(
        arrival,
        events.map((event) => event.id),
        `arrival order of ${orderId}'s events`,
      );
    }
  }

  it('accepts checkouts with the broker cut off, then publishes every pending event exactly once', async () => {
    await proxy.pause();
    await waitFor(async () => !cutOff.publisher.isReady(), { timeoutMs: 10_000, what: 'the relay cut off' });

    const shopA = app.products.addProduct({ sellerId: 'shop-a', stock: 100 });
    const shopB = app.products.addProduct({ sellerId: 'shop-b', stock: 100 });
    const consumers = Array.from({ length: 8 }, (_, index) => `outage-consumer-${index}`);
    const checkouts = await Promise.all(
      consumers.map((consumer) =>
        call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
          json: {
            items: [
              { productId: shopA.id, quantity: 1 },
              { productId: shopB.id, quantity: 2 },
            ],
          },
          headers: { 'idempotency-key': randomUUID() },
        }),
      ),
    );
    for (const response of checkouts) assert.equal(response.status, 201, response.text);
    const orders = checkouts.flatMap(
      (response) =>
        (response.body as { orders: { id: string; sellerId: string; consumerId: string }[] }).orders,
    );
    assert.equal(orders.length, 16);

    // Status changes while cut off too: their events queue up behind order.created.
    for (const order of orders.filter((o) => o.sellerId === 'shop-a').slice(0, 4)) {
      const seller = app.sellerToken('shop-a');
      for (const status of ['IN_DELIVERY', 'DELIVERED']) {
        const changed = await call(app, 'POST', `/api/orders/${order.id}/status`, seller, {
          json: { status },
        });
        assert.equal(changed.status, 200, changed.text);
      }
    }
    for (const order of orders.filter((o) => o.sellerId === 'shop-b').slice(0, 2)) {
      const token = app.consumerToken(order.consumerId);
      const cancelled = await call(app, 'POST', `/api/orders/${order.id}/status`, token, {
        json: { status: 'CANCELLED' },
      });
      assert.equal(cancelled.status, 200, cancelled.text);
    }

    // The relay keeps trying (attempts recorded) while every event stays pending and unsent.
    const expectedEvents = 16 + 4 * 2 + 2;
    await waitFor(
      async () => {
        const events = [...(await storedEvents()).values()].flat();
        return events.length === expectedEvents && events.every((event) => event.attempts > 0);
      },
      { timeoutMs: 20_000, what: 'failed attempts on every pending event' },
    );
    const pending = [...(await storedEvents()).values()].flat();
    assert.ok(pending.every((event) => event.sentAt === null));
    assert.equal(collector.received.length, 0);
    await waitFor(async () => (await backlogOf(cutOff.registry)) === expectedEvents, {
      timeoutMs: 10_000,
      what: 'the backlog gauge',
    });
    assert.ok(((await oldestEventAgeOf(cutOff.registry)) ?? 0) > 0, 'the oldest pending event has an age');

    proxy.resume();
    await waitFor(
      async () => [...(await storedEvents()).values()].flat().every((event) => event.sentAt !== null),
      { timeoutMs: 30_000, what: 'every event marked sent' },
    );
    await waitFor(async () => collector.received.length >= expectedEvents, {
      timeoutMs: 10_000,
      what: 'every event consumed',
    });
    await sleep(500); // room for a duplicate to show up
    assert.equal(collector.received.length, expectedEvents);
    const byOrder = await storedEvents();
    assertDeliveredOnceInOrder(byOrder);
    const created = collector.received.filter((message) => message.type === 'order.created');
    assert.deepEqual(
      created.map((message) => message.orderId).sort(),
      orders.map((order) => order.id).sort(),
      'one order.created per accepted order',
    );
    await waitFor(async () => (await backlogOf(cutOff.registry)) === 0, {
      timeoutMs: 10_000,
      what: 'backlog 0',
    });
    assert.equal(await oldestEventAgeOf(cutOff.registry), 0);
  });

  it('relays review.created from the review document through the same relay, once, marked sent', async () => {
    const { product, order } = await deliveredProduct(app, 'reviewing-consumer', 'reviewed-shop');
    await waitFor(
      async () => [...(await storedEvents()).values()].flat().every((stored) => stored.sentAt !== null),
      { timeoutMs: 20_000, what: "the order's events sent" },
    );
    await proxy.pause();
    await waitFor(async () => !cutOff.publisher.isReady(), { timeoutMs: 10_000, what: 'the relay cut off' });

    const posted = await call(app, 'POST', '/api/reviews', app.consumerToken('reviewing-consumer'), {
      json: { productId: product.id, rating: 4, text: 'Sturdy.' },
    });
    assert.equal(posted.status, 201, posted.text);
    const reviewId = (posted.body as { id: string }).id;
    const storedReview = async () =>
      app.models.reviews.findById(reviewId, { outbox: 1 }).lean<{ outbox: StoredEvent[] }>();
    const [event] = (await storedReview())?.outbox ?? [];
    assert.ok(event);
    // Counted in the one backlog gauge while the broker is away, and tried like an order's event.
    await waitFor(async () => (await backlogOf(cutOff.registry)) === 1, {
      timeoutMs: 10_000,
      what: 'backlog 1',
    });
    await waitFor(async () => ((await storedReview())?.outbox[0]?.attempts ?? 0) > 0, {
      timeoutMs: 10_000,
      what: 'a failed attempt',
    });
    assert.equal((await storedReview())?.outbox[0]?.sentAt, null);

    proxy.resume();
    await waitFor(async () => Boolean((await storedReview())?.outbox[0]?.sentAt), {
      timeoutMs: 20_000,
      what: 'the review event marked sent',
    });
    await waitFor(async () => collector.countsById().get(event.id) === 1, {
      timeoutMs: 10_000,
      what: 'consumed',
    });
    await sleep(500); // room for a duplicate to show up
    const received = collector.received.filter((message) => message.id === event.id);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.type, 'review.created');
    assert.deepEqual(received[0]?.data, {
      reviewId,
      productId: product.id,
      sellerId: order.sellerId,
      consumerId: 'reviewing-consumer',
      rating: 4,
    });
    await waitFor(async () => (await backlogOf(cutOff.registry)) === 0, {
      timeoutMs: 10_000,
      what: 'backlog 0',
    });
  });

  it('never publishes an event twice with three relays on one database', async () => {
    extraRelays.push(startRelay(app, vhost.url, 5), startRelay(app, vhost.url, 7));
    const before = collector.received.length;
    const written: string[] = [];
    // Written while the relays run, in several rounds, so their claims meet on live documents.
    for (let round = 0; round < 6; round += 1) {
      const documents = Array.from({ length: 10 }, () => syntheticOrder());
      written.push(...documents.flatMap((document) => document.outbox.map((event) => event.id)));
      await app.models.orders.insertMany(documents);
      await sleep(30);
    }
    await waitFor(async () => collector.received.length - before >= written.length, {
      timeoutMs: 30_000,
      what: 'every synthetic event consumed',
    });
    await waitFor(
      async () => [...(await storedEvents()).values()].flat().every((event) => event.sentAt !== null),
      { timeoutMs: 10_000, what: 'every event marked sent' },
    );
    await sleep(500);
    assert.equal(collector.received.length - before, written.length);
    assertDeliveredOnceInOrder(await storedEvents());

    // Sent events leave the documents once older than the retention; nothing unsent does.
    await mongoOutboxStore(outboxCollections(app.models), { leaseMs: 15_000 }).purgePublished(0);
    const left = [...(await storedEvents()).values()].flat();
    assert.equal(left.length, 0);
  });

  it('publishes each event in the trace of the request that wrote it', async () => {
    ensureTracePropagation();
    const trace = newTraceContext();
    const document = syntheticOrder();
    const { _id: id, outbox, ...rest } = document;
    const events = outbox.map(({ id: eventId, type, occurredAt, data }) => ({
      id: eventId,
      type,
      occurredAt,
      data,
    }));
    // Written inside the request's context; the relay sends it later from its own loop.
    await context.with(trace.context, () =>
      new MongoOrderStore(app.models).insert([
        {
          ...rest,
          id,
          status: 'RECEIVED',
          statusHistory: [{ status: 'RECEIVED', at: rest.createdAt, by: 'system' }],
          paymentReference: null,
          reservationFollowUp: null,
          outbox: events,
        },
      ]),
    );
    await waitFor(async () => events.every((event) => collector.countsById().get(event.id) === 1), {
      timeoutMs: 20_000,
      what: 'the traced events consumed',
    });
    for (const event of events) {
      const message = collector.received.find((received) => received.id === event.id);
      assert.match(String(message?.traceparent), new RegExp(`^00-${trace.traceId}-`), 'same trace id');
    }
  });
});
