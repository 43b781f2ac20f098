import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@marketshare/platform';
import { runPgMigrations } from '@marketshare/platform/pg';
import { createTestPgDatabase } from '@marketshare/platform/testing';
import type { TestPgDatabase } from '@marketshare/platform/testing';
import { ProductsConfigSchema } from '../../src/config.js';
import { productsMigrations } from '../../src/store/migrations.js';
import { PgRatingStore } from '../../src/store/ratings-store.js';

describe('ms-products store: pruning processed_events', () => {
  let db: TestPgDatabase;

  before(async () => {
    db = await createTestPgDatabase('products_dedup_prune');
    await runPgMigrations(db.url, await productsMigrations());
  });

  after(async () => {
    await db?.drop();
  });

  it('forgets event ids older than the retention window and keeps recent ones', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await db.pool.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       VALUES ('ms-products.ratings', $1, now() - interval '8 days'),
              ('ms-products.ratings', $2, now() - interval '1 day')`,
      [old, recent],
    );
    const store = new PgRatingStore(db.pool);
    assert.equal(await store.pruneProcessedEvents(7 * 24 * 3600_000), 1);
    const { rows } = await db.pool.query<{ event_id: string }>('SELECT event_id FROM processed_events');
    assert.deepEqual(
      rows.map((row) => row.event_id),
      [recent],
    );
    // The recent one still stops a redelivery: marking it again is refused.
    assert.equal(await store.transaction((tx) => tx.markProcessed('ms-products.ratings', recent)), false);
  });

  it('keeps processed events a week by default', () => {
    assert.equal(parseConfig(ProductsConfigSchema, { NODE_ENV: 'test' }).DEDUP_RETENTION_HOURS, 168);
  });
});
