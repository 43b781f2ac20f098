import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MongoCheckoutStore } from '../../src/store/checkouts-store.js';
import { startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

const HOUR_MS = 3600_000;

describe('ms-orders checkouts store: pruning Idempotency-Key records', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  let store: MongoCheckoutStore;

  before(async () => {
    app = await startOrdersApp();
    store = new MongoCheckoutStore(app.models);
  });
  after(async () => {
    await app?.stop();
  });

  async function attempt(state: 'in_progress' | 'completed', ageMs: number): Promise<string> {
    const consumerId = randomUUID();
    const id = MongoCheckoutStore.idFor(consumerId, randomUUID());
    const createdAt = new Date(Date.now() - ageMs);
    await app.models.checkouts.create({
      _id: id,
      consumerId,
      idempotencyKey: id.split(':')[1],
      fingerprint: 'f',
      state,
      pendingOrderIds: [],
      createdAt,
      completedAt: state === 'completed' ? createdAt : null,
      response: state === 'completed' ? { status: 201, body: { orders: [] } } : undefined,
    });
    return id;
  }

  it('forgets completed checkouts older than the window, keeps recent ones and those in progress', async () => {
    const old = await attempt('completed', 200 * HOUR_MS);
    const recent = await attempt('completed', 2 * HOUR_MS);
    const stuck = await attempt('in_progress', 200 * HOUR_MS);
    const pruned = await store.pruneCompleted(168 * HOUR_MS);
    assert.ok(pruned >= 1);
    assert.equal(await store.find(old), undefined, 'the old completed record is gone');
    assert.equal((await store.find(recent))?.state, 'completed', 'a recent one stays');
    assert.equal((await store.find(stuck))?.state, 'in_progress', 'attempts in progress are the sweep’s');
  });
});
