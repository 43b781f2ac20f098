import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { createEnvelope, EVENTS_EXCHANGE } from '../../src/contracts/index.js';
import type { EventEnvelope } from '../../src/contracts/index.js';
import {
  enqueuePgEvent,
  OutboxRelay,
  PG_OUTBOX_MIGRATION_SQL,
  pgOutboxStore,
} from '../../src/outbox/index.js';
import { inPgTransaction, runPgMigrations } from '../../src/pg/index.js';
import type { PgPool } from '../../src/pg/index.js';
import { EventPublisher, RabbitConnection } from '../../src/rabbit/index.js';
import { createTestPgDatabase } from '../../src/testing/pg-db.js';
import type { TestPgDatabase } from '../../src/testing/pg-db.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost } from '../../src/testing/rabbit.js';
import type { TestVhost } from '../../src/testing/rabbit.js';
import { headerString, metricValue, QueueInspector, testLogger } from '../rabbit/support/broker.js';
import { ensureTracePropagation, newTraceContext } from '../../src/testing/tracing.js';

interface OutboxState {
  published: boolean;
  attempts: number;
  lastError: string | null;
}

async function outboxRows(pool: PgPool): Promise<Map<string, OutboxState>> {
  const { rows } = await pool.query<{
    id: string;
    published: boolean;
    attempts: number;
    last_error: string | null;
  }>('SELECT id, published_at IS NOT NULL AS published, attempts, last_error FROM outbox');
  return new Map(
    rows.map((row) => [
      row.id,
      { published: row.published, attempts: row.attempts, lastError: row.last_error },
    ]),
  );
}

/** Enqueues events in one transaction that commits, or rolls back by throwing. */
async function inTransaction(
  pool: PgPool,
  envelopes: EventEnvelope<unknown>[],
  commit = true,
): Promise<void> {
  const rollback = new Error('roll back');
  await inPgTransaction(pool, async (client) => {
    for (const envelope of envelopes) await enqueuePgEvent(client, envelope);
    if (!commit) throw rollback;
  }).catch((error: unknown) => {
    if (error !== rollback) throw error;
  });
}

// The relay's rules (order, confirms, retries, notify, backlog) are shared with MySQL and
// tested at length in outbox.test.ts, broker restart included; this file checks that the
// PostgreSQL store keeps them.
describe('outbox on PostgreSQL: enqueue in a transaction, relay to RabbitMQ', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let database: TestPgDatabase;
  let connection: RabbitConnection;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let inspector: QueueInspector;
  let registry: Registry;

  before(async () => {
    ensureTracePropagation();
    vhost = await createTestVhost('pg_outbox');
    database = await createTestPgDatabase('pg_outbox');
    await runPgMigrations(database.url, [{ version: 1, name: 'outbox', sql: PG_OUTBOX_MIGRATION_SQL }]);
    registry = new Registry();
    connection = new RabbitConnection({
      url: vhost.url,
      logger: testLogger,
      connectionName: 'pg-outbox-test',
    });
    connection.start();
    publisher = new EventPublisher(connection, { logger: testLogger, registry, unavailableTimeoutMs: 500 });
    relay = new OutboxRelay({
      store: pgOutboxStore(database.pool),
      publisher,
      logger: testLogger,
      registry,
      pollIntervalMs: 60_000,
    });
    await publisher.waitUntilReady(10_000);
    inspector = await QueueInspector.open(vhost.url);
    await inspector.channel.assertQueue('pg-outbox-wire', { durable: true });
    await inspector.channel.bindQueue('pg-outbox-wire', EVENTS_EXCHANGE, 'outbox.#');
  });

  after(async () => {
    await relay?.stop();
    await publisher?.close();
    await connection?.close();
    await inspector?.close();
    await Promise.all([vhost?.drop(), database?.drop()]);
  });

  beforeEach(async () => {
    await relay?.flushOnce();
    await inspector?.channel.purgeQueue('pg-outbox-wire');
  });

  it('the migration can run again (CREATE ... IF NOT EXISTS)', async () => {
    await database.pool.query(PG_OUTBOX_MIGRATION_SQL);
  });

  it('publishes events of a committed transaction in order, with the trace of the enqueuing request', async () => {
    const envelopes = [1, 2, 3].map((n) => createEnvelope('outbox.committed', { n }));
    const trace = newTraceContext();
    await context.with(trace.context, () => inTransaction(database.pool, envelopes));
    assert.equal(await relay.flushOnce(), 3);

    const wire = await inspector.drain('pg-outbox-wire');
    assert.deepEqual(
      wire.map((message) => message.properties.messageId),
      envelopes.map((envelope) => envelope.id),
    );
    assert.deepEqual(
      wire.map((message) => JSON.parse(message.content.toString('utf8'))),
      envelopes,
      'the envelope arrives as enqueued',
    );
    for (const message of wire) {
      assert.match(
        headerString(message.properties.headers, 'traceparent') ?? '',
        new RegExp(`^00-${trace.traceId}-`),
      );
    }
    const rows = await outboxRows(database.pool);
    for (const envelope of envelopes)
      assert.deepEqual(rows.get(envelope.id), { published: true, attempts: 1, lastError: null });
    assert.equal(await relay.flushOnce(), 0, 'nothing left to send');
  });

  it('publishes nothing from a rolled-back transaction', async () => {
    const envelope = createEnvelope('outbox.rolled_back', {});
    await inTransaction(database.pool, [envelope], false);
    assert.equal(await relay.flushOnce(), 0);
    assert.equal((await outboxRows(database.pool)).has(envelope.id), false);
    assert.equal(await inspector.messageCount('pg-outbox-wire'), 0);
  });

  it('keeps a row the broker refused, records why, and sends it on a later tick', async () => {
    // No queue is bound for this key yet: the mandatory publish comes back unroutable.
    const envelope = createEnvelope('pg_later.event', { n: 1 });
    await inTransaction(database.pool, [envelope]);
    assert.equal(await relay.flushOnce(), 0);
    const failed = (await outboxRows(database.pool)).get(envelope.id);
    assert.equal(failed?.published, false);
    assert.equal(failed?.attempts, 1);
    assert.match(failed?.lastError ?? '', /pg_later\.event/);

    await inspector.channel.assertQueue('pg-outbox-later', { durable: true });
    await inspector.channel.bindQueue('pg-outbox-later', EVENTS_EXCHANGE, 'pg_later.event');
    assert.equal(await relay.flushOnce(), 1);
    assert.deepEqual((await outboxRows(database.pool)).get(envelope.id), {
      published: true,
      attempts: 2,
      lastError: null,
    });
    assert.equal(await inspector.messageCount('pg-outbox-later'), 1);
  });

  it('records an unreadable row without holding up the rows behind it', async () => {
    const good = createEnvelope('outbox.after_bad', {});
    await database.pool.query(
      `INSERT INTO outbox (id, routing_key, envelope, headers)
       VALUES (gen_random_uuid(), 'outbox.bad', '{"not":"an envelope"}', '{}')`,
    );
    await inTransaction(database.pool, [good]);
    assert.equal(await relay.flushOnce(), 1);
    const rows = [...(await outboxRows(database.pool)).values()];
    assert.ok(rows.some((row) => !row.published && /invalid event envelope/.test(row.lastError ?? '')));
    assert.equal((await outboxRows(database.pool)).get(good.id)?.published, true);
    await database.pool.query("DELETE FROM outbox WHERE routing_key = 'outbox.bad'");
  });

  it('two relays on one table never send a row twice (FOR UPDATE SKIP LOCKED)', async () => {
    const envelopes = Array.from({ length: 30 }, (_, n) => createEnvelope('outbox.shared', { n }));
    await inTransaction(database.pool, envelopes);
    const relays = [1, 2].map(
      () =>
        new OutboxRelay({
          store: pgOutboxStore(database.pool),
          publisher,
          logger: testLogger,
          registry,
          batchSize: 7,
        }),
    );
    let total = 0;
    for (;;) {
      const published = await Promise.all(relays.map((each) => each.flushOnce()));
      const round = published.reduce((sum, count) => sum + count, 0);
      if (round === 0) break;
      total += round;
    }
    assert.equal(total, 30);
    assert.equal(await inspector.messageCount('pg-outbox-wire'), 30, 'each row went to the broker once');
  });

  it('running: notify() sends at once and the backlog gauge drains to zero', async () => {
    const running = new OutboxRelay({
      store: pgOutboxStore(database.pool),
      publisher,
      logger: testLogger,
      registry,
      // Without notify() nothing would be sent within this test.
      pollIntervalMs: 60_000,
    });
    running.start();
    try {
      const envelope = createEnvelope('outbox.notified', {});
      await inTransaction(database.pool, [envelope]);
      running.notify();
      await waitFor(async () => (await inspector.messageCount('pg-outbox-wire')) === 1, {
        what: 'the notified event on the wire',
      });
      await waitFor(async () => (await metricValue(registry, 'outbox_backlog')) === 0, {
        what: 'an empty backlog',
      });
    } finally {
      await running.stop();
    }
  });

  it('running: reports how long the oldest waiting event has waited, and 0 once none waits', async () => {
    // No queue is bound for this key yet: the row waits, its attempts failing, as in an outage.
    const envelope = createEnvelope('pg_aged.event', {});
    await inTransaction(database.pool, [envelope]);
    await database.pool.query(
      "UPDATE outbox SET created_at = created_at - interval '90 seconds' WHERE id = $1",
      [envelope.id],
    );
    assert.equal((await pgOutboxStore(database.pool).measureBacklog()).events, 1);
    const running = new OutboxRelay({
      store: pgOutboxStore(database.pool),
      publisher,
      logger: testLogger,
      registry,
      pollIntervalMs: 100,
    });
    running.start();
    try {
      await waitFor(async () => (await metricValue(registry, 'outbox_oldest_event_age_seconds')) >= 90, {
        what: 'the waiting row’s age in the gauge',
      });
      assert.ok((await metricValue(registry, 'outbox_oldest_event_age_seconds')) < 150);
      assert.equal(await metricValue(registry, 'outbox_backlog'), 1);

      await inspector.channel.assertQueue('pg-outbox-aged', { durable: true });
      await inspector.channel.bindQueue('pg-outbox-aged', EVENTS_EXCHANGE, 'pg_aged.event');
      running.notify();
      await waitFor(async () => (await metricValue(registry, 'outbox_oldest_event_age_seconds')) === 0, {
        what: 'age 0 once the row is published',
      });
      assert.equal(await metricValue(registry, 'outbox_backlog'), 0);
      assert.deepEqual(await pgOutboxStore(database.pool).measureBacklog(), {
        events: 0,
        oldestAgeSeconds: 0,
      });
    } finally {
      await running.stop();
    }
  });

  it('purges published rows past their retention, never unpublished ones', async () => {
    const waiting = createEnvelope('outbox.unrouted', {});
    await inTransaction(database.pool, [waiting]);
    await pgOutboxStore(database.pool).purgePublished(0);
    const rows = await outboxRows(database.pool);
    assert.deepEqual([...rows.keys()], [waiting.id]);
    await database.pool.query('DELETE FROM outbox');
  });
});
