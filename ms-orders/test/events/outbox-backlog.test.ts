import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mongoOutboxStore, type OutboxFields } from '../../src/events/mongo-outbox-store.js';
import { startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

/** An outbox event stamped `seconds` ago; sent unless `pending`. */
function event(seconds: number, pending: boolean): OutboxFields['outbox'][number] {
  return {
    id: randomUUID(),
    type: 'order.status_changed',
    occurredAt: secondsAgo(seconds).toISOString(),
    data: {},
    headers: {},
    sentAt: pending ? null : new Date(),
    attempts: pending ? 0 : 1,
  };
}

describe('ms-orders events: the outbox backlog of the single-document outbox', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });

  it('counts pending events in every collection and ages the oldest by its occurredAt, 0 when none', async () => {
    // Collections of their own: no relay of the app's runs over them.
    const db = app.models.orders.db;
    const [first, second] = ['outbox_probe_a', 'outbox_probe_b'].map((name) =>
      db.collection<OutboxFields>(name),
    );
    assert.ok(first && second);
    const store = mongoOutboxStore([first, second], { leaseMs: 15_000 });
    assert.deepEqual(await store.measureBacklog(), { events: 0, oldestAgeSeconds: 0 });

    await first.insertMany([
      // A sent event older than everything: sent events never count.
      { _id: randomUUID(), outbox: [event(3_600, false), event(30, true)], updatedAt: new Date() },
      { _id: randomUUID(), outbox: [event(10, true)], updatedAt: new Date() },
    ]);
    await second.insertOne({
      _id: randomUUID(),
      outbox: [event(90, true), event(5, true)],
      updatedAt: new Date(),
    });
    const waiting = await store.measureBacklog();
    assert.equal(waiting.events, 4);
    assert.ok(
      waiting.oldestAgeSeconds >= 90 && waiting.oldestAgeSeconds < 150,
      `${waiting.oldestAgeSeconds} s`,
    );

    await Promise.all(
      [first, second].map((collection) =>
        collection.updateMany({}, { $set: { 'outbox.$[].sentAt': new Date() } }),
      ),
    );
    assert.deepEqual(await store.measureBacklog(), { events: 0, oldestAgeSeconds: 0 });
  });
});
