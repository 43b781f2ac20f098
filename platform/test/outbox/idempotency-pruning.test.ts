import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import {
  mysqlIdempotencyStore,
  PROCESSED_EVENTS_MIGRATION_SQL,
  pruneMysqlProcessedEvents,
  startPruning,
} from '../../src/outbox/index.js';
import { PRUNE_BATCH_SIZE } from '../../src/outbox/idempotency.js';
import { createTestMysqlDatabase } from '../../src/testing/mysql-db.js';
import type { TestMysqlDatabase } from '../../src/testing/mysql-db.js';
import { waitFor } from '../../src/testing/ports.js';

const DAY_MS = 24 * 3600_000;
const logger = pino({ level: 'silent' });

describe('outbox: pruning processed_events', function () {
  let database: TestMysqlDatabase;

  before(async () => {
    database = await createTestMysqlDatabase('dedup_prune');
    await database.pool.query(PROCESSED_EVENTS_MIGRATION_SQL);
  });

  after(async () => {
    await database?.drop();
  });

  async function insertAged(consumer: string, count: number, ageMs: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await database.pool.query('INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ?', [
      ids.map((id) => [consumer, id, new Date(Date.now() - ageMs)]),
    ]);
    return ids;
  }

  it('deletes rows older than the retention window, in batches, and keeps recent ones', async () => {
    // More old rows than one batch deletes, over two consumers.
    const old = await insertAged('a', PRUNE_BATCH_SIZE + 5, 8 * DAY_MS);
    const [oldOfB] = await insertAged('b', 1, 8 * DAY_MS);
    const [recent] = await insertAged('a', 1, DAY_MS);
    const [fresh] = await insertAged('b', 1, 0);
    assert.ok(oldOfB && recent && fresh);
    const pruned = await pruneMysqlProcessedEvents(database.pool, 7 * DAY_MS);
    assert.equal(pruned, old.length + 1);
    const [rows] = await database.pool.query<RowDataPacket[]>('SELECT event_id FROM processed_events');
    assert.deepEqual(rows.map((row) => String(row['event_id'])).sort(), [recent, fresh].sort());
    assert.equal(await mysqlIdempotencyStore(database.pool, 'a').isProcessed(recent), true);
    assert.equal(await mysqlIdempotencyStore(database.pool, 'b').isProcessed(oldOfB), false);
  });

  it('startPruning runs the prune on a timer, survives a failure and stops cleanly', async () => {
    let calls = 0;
    const timer = startPruning({
      name: 'processed_events',
      logger,
      initialDelayMs: 10,
      intervalMs: 20,
      prune: async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
        return 0;
      },
    });
    await waitFor(() => calls >= 3, { what: 'three prune runs' });
    await timer.stop();
    const stoppedAt = calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(calls, stoppedAt, 'pruned after stop()');
  });
});
