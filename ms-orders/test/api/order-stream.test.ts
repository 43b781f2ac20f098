import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@marketshare/platform';
import { OrderLifecycle } from '../../src/domain/order-status.js';
import { ordersModels } from '../../src/store/models.js';
import { MongoOrderStore } from '../../src/store/orders-store.js';
import { HttpProductsClient } from '../../src/upstream/products-client.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';
import { eventually, openEventStream, type ReceivedEvent } from '../support/sse-client.js';

const STREAM_ENV = { ORDER_STREAM_HEARTBEAT_MS: '50', ORDER_STREAM_POLL_INTERVAL_MS: '50' };

const statusOf = (event: ReceivedEvent) => (event.data as { status: string }).status;
const idsOf = (events: ReceivedEvent[]) => events.map((event) => event.id);
const codeOf = (body: unknown) => (body as { code?: string }).code;

describe('ms-orders live order status (server-sent events)', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp(STREAM_ENV);
  });
  after(async () => {
    await app?.stop();
  });

  async function placeOrder(on: OrdersTestApp, consumer: string, seller: string): Promise<string> {
    const product = on.products.addProduct({ sellerId: seller, stock: 10 });
    const response = await call(on, 'POST', '/api/orders/checkout', on.consumerToken(consumer), {
      json: { items: [{ productId: product.id, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(response.status, 201, response.text);
    const order = (response.body as { orders: { id: string }[] }).orders[0];
    assert.ok(order);
    return order.id;
  }
  const setStatus = async (id: string, token: string, status: string) => {
    const response = await call(app, 'POST', `/api/orders/${id}/status`, token, { json: { status } });
    assert.equal(response.status, 200, response.text);
  };
  const watch = (on: OrdersTestApp, id: string, token: string, headers: Record<string, string> = {}) =>
    openEventStream(`${on.url}/api/orders/${id}/events`, { authorization: `Bearer ${token}`, ...headers });

  it('shows the consumer RECEIVED, IN_DELIVERY, DELIVERED as the seller advances, then ends', async () => {
    const id = await placeOrder(app, 'alice', 'shop-1');
    const stream = await watch(app, id, app.consumerToken('alice'));
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.equal(stream.headers['cache-control'], 'no-cache');
    assert.equal(stream.headers['x-accel-buffering'], 'no');

    const first = await stream.next();
    assert.equal(first.event, 'status');
    assert.equal(first.id, '1');
    assert.deepEqual(Object.keys(first.data as object).sort(), ['at', 'by', 'orderId', 'status']);
    assert.equal((first.data as { orderId: string }).orderId, id);
    assert.equal(statusOf(first), 'RECEIVED');

    await setStatus(id, app.sellerToken('shop-1'), 'IN_DELIVERY');
    const shipped = await stream.next();
    assert.deepEqual([shipped.id, statusOf(shipped)], ['2', 'IN_DELIVERY']);
    assert.equal((shipped.data as { by: string }).by, 'shop-1');
    await setStatus(id, app.sellerToken('shop-1'), 'DELIVERED');
    assert.equal(await stream.ended, 'end');
    // Local word and polling both saw the changes: still each exactly once, in order.
    assert.deepEqual(idsOf(stream.events), ['1', '2', '3']);
    assert.deepEqual(stream.events.map(statusOf), ['RECEIVED', 'IN_DELIVERY', 'DELIVERED']);
  });

  it('lets the seller watch too, and ends on a cancel', async () => {
    const id = await placeOrder(app, 'bob', 'shop-2');
    const stream = await watch(app, id, app.sellerToken('shop-2'));
    assert.equal(statusOf(await stream.next()), 'RECEIVED');
    await setStatus(id, app.consumerToken('bob'), 'CANCELLED');
    assert.equal(await stream.ended, 'end');
    assert.deepEqual(stream.events.map(statusOf), ['RECEIVED', 'CANCELLED']);
  });

  it("refuses another's order (404), anonymous callers (401) and bad requests before any stream", async () => {
    const id = await placeOrder(app, 'carol', 'shop-3');
    const path = `/api/orders/${id}/events`;
    const sse = { accept: 'text/event-stream' };
    for (const token of [app.consumerToken('mallory'), app.sellerToken('shop-other')]) {
      const response = await call(app, 'GET', path, token, { headers: sse });
      assert.equal(response.status, 404);
      assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/);
      assert.equal(codeOf(response.body), 'order_not_found');
    }
    const anonymous = await fetch(`${app.url}${path}`, { headers: sse });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers.get('content-type')), /^application\/problem\+json/);
    await anonymous.body?.cancel();

    const token = app.consumerToken('carol');
    const wrongAccept = await call(app, 'GET', path, token, { headers: { accept: 'application/json' } });
    assert.equal(wrongAccept.status, 406);
    for (const query of ['?$where=1', '?status[$gt]=', '?since=1']) {
      const response = await call(app, 'GET', `${path}${query}`, token, { headers: sse });
      assert.equal(response.status, 400, query);
    }
    for (const lastEventId of ['abc', '{"$gt":""}', '0', '-1']) {
      const response = await call(app, 'GET', path, token, {
        headers: { ...sse, 'last-event-id': lastEventId },
      });
      assert.equal(response.status, 400, lastEventId);
      assert.equal(
        (response.body as { errors: { field: string }[] }).errors[0]?.field,
        'headers.last-event-id',
      );
    }
    const malformedId = await call(app, 'GET', '/api/orders/a.b/events', token, { headers: sse });
    assert.equal(malformedId.status, 400);
  });

  it('sends heartbeat comments while nothing changes', async () => {
    const id = await placeOrder(app, 'dave', 'shop-4');
    const stream = await watch(app, id, app.consumerToken('dave'));
    await stream.next();
    const heartbeats = () => stream.comments.filter((comment) => comment === 'heartbeat').length;
    await eventually(() => heartbeats() >= 2, 'two heartbeats');
    assert.equal(stream.comments[0], 'connected');
    assert.equal(stream.events.length, 1);
    stream.close();
  });

  it('resumes after Last-Event-ID with exactly the changes the client missed', async () => {
    const id = await placeOrder(app, 'erin', 'shop-5');
    await setStatus(id, app.sellerToken('shop-5'), 'IN_DELIVERY');

    const resumed = await watch(app, id, app.consumerToken('erin'), { 'last-event-id': '1' });
    const missed = await resumed.next();
    assert.deepEqual([missed.id, statusOf(missed)], ['2', 'IN_DELIVERY']);
    const upToDate = await watch(app, id, app.consumerToken('erin'), { 'last-event-id': '2' });

    await setStatus(id, app.sellerToken('shop-5'), 'DELIVERED');
    assert.equal(await resumed.ended, 'end');
    assert.equal(await upToDate.ended, 'end');
    assert.deepEqual(idsOf(resumed.events), ['2', '3']);
    assert.deepEqual(idsOf(upToDate.events), ['3'], 'nothing it had already');

    // Final, and the client has the last status: 204 tells an EventSource to stop reconnecting.
    const done = await watch(app, id, app.consumerToken('erin'), { 'last-event-id': '3' });
    assert.equal(done.status, 204);
    // An id from beyond the history (not ours): a fresh start with the current status.
    const beyond = await watch(app, id, app.consumerToken('erin'), { 'last-event-id': '99' });
    assert.equal(await beyond.ended, 'end');
    assert.deepEqual(idsOf(beyond.events), ['3']);
  });

  it('delivers changes another instance writes to MongoDB (polling), once each and in order', async () => {
    const id = await placeOrder(app, 'frank', 'shop-6');
    const stream = await watch(app, id, app.consumerToken('frank'));
    assert.equal(statusOf(await stream.next()), 'RECEIVED');

    // Another instance: its own models on the same database, so no in-process word reaches us.
    const connection = app.models.orders.db.useDb(app.models.orders.db.name, { useCache: false });
    const other = new OrderLifecycle(
      new MongoOrderStore(ordersModels(connection)),
      new HttpProductsClient({
        baseUrl: app.products.url,
        timeoutMs: 500,
        tokenUrl: `${app.products.url}/token`,
        clientId: 'ms-orders',
        clientSecret: app.products.clientSecret,
      }),
      createLogger({ service: 'other-instance', level: 'silent' }),
    );
    const seller = { id: 'shop-6', role: 'seller' } as const;
    await other.changeStatus(id, seller, 'IN_DELIVERY');
    const shipped = await stream.next();
    assert.deepEqual([shipped.id, statusOf(shipped)], ['2', 'IN_DELIVERY']);
    await other.changeStatus(id, seller, 'DELIVERED');
    assert.equal(await stream.ended, 'end');
    assert.deepEqual(idsOf(stream.events), ['1', '2', '3']);
  });

  describe('limits and shutdown', () => {
    it('refuses streams beyond the maximum with 503 and ends open streams when the server closes', async () => {
      const small = await startOrdersApp({ ...STREAM_ENV, ORDER_STREAM_MAX_OPEN: '2' });
      let stopped = false;
      try {
        const id = await placeOrder(small, 'gina', 'shop-7');
        const streams = [
          await watch(small, id, small.consumerToken('gina')),
          await watch(small, id, small.sellerToken('shop-7')),
        ];
        for (const stream of streams) assert.equal(statusOf(await stream.next()), 'RECEIVED');
        const third = await call(small, 'GET', `/api/orders/${id}/events`, small.consumerToken('gina'), {
          headers: { accept: 'text/event-stream' },
        });
        assert.equal(third.status, 503);
        assert.equal(codeOf(third.body), 'too_many_streams');

        // stop() closes the HTTP server first: it must not wait for the streams' clients.
        const outcome = await Promise.race([
          small.stop().then(() => 'stopped'),
          new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000).unref()),
        ]);
        stopped = true;
        assert.equal(outcome, 'stopped');
        for (const stream of streams) assert.equal(await stream.ended, 'end');
      } finally {
        if (!stopped) await small.stop();
      }
    });
  });
});
