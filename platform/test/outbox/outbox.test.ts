import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { Registry } from 'prom-client';
import { createEnvelope, EVENTS_EXCHANGE } from '../../src/contracts/index.js';
import type { EventEnvelope } from '../../src/contracts/index.js';
import {
  enqueueEvent,
  mysqlIdempotencyStore,
  mysqlOutboxStore,
  OUTBOX_MIGRATION_SQL,
  OutboxRelay,
  PROCESSED_EVENTS_MIGRATION_SQL,
} from '../../src/outbox/index.js';
import {
  EventConsumer,
  EventPublisher,
  PublisherUnavailableError,
  RabbitConnection,
} from '../../src/rabbit/index.js';
import type { HandlerContext } from '../../src/rabbit/index.js';
import { createTestMysqlDatabase } from '../../src/testing/mysql-db.js';
import type { TestMysqlDatabase } from '../../src/testing/mysql-db.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost } from '../../src/testing/rabbit.js';
import type { TestVhost } from '../../src/testing/rabbit.js';
import {
  headerString,
  metricValue,
  QueueInspector,
  startBrokerApp,
  stopBrokerApp,
  testLogger,
} from '../rabbit/support/broker.js';
import { ensureTracePropagation, newTraceContext } from '../../src/testing/tracing.js';

interface OutboxState {
  published: boolean;
  attempts: number;
  lastError: string | null;
}

async function outboxRows(pool: Pool): Promise<Map<string, OutboxState>> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT id, published_at, attempts, last_error FROM outbox',
  );
  return new Map(
    rows.map((row) => [
      String(row['id']),
      {
        published: row['published_at'] !== null,
        attempts: Number(row['attempts']),
        lastError: row['last_error'],
      },
    ]),
  );
}

/** Enqueues events in one transaction and commits (or rolls back) it, like a service would. */
async function inTransaction(pool: Pool, envelopes: EventEnvelope<unknown>[], commit = true): Promise<void> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    for (const envelope of envelopes) await enqueueEvent(connection, envelope);
    if (commit) await connection.commit();
    else await connection.rollback();
  } finally {
    connection.release();
  }
}

describe('outbox: enqueue in a transaction, relay to RabbitMQ', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let database: TestMysqlDatabase;
  let connection: RabbitConnection;
  let publisher: EventPublisher;
  let consumer: EventConsumer;
  let relay: OutboxRelay;
  let inspector: QueueInspector;
  let registry: Registry;
  let brokerStopped = false;
  // Every handler call, per event id: "exactly once" is checked against this.
  const handled = new Map<string, { count: number; context: HandlerContext }>();

  before(async () => {
    ensureTracePropagation();
    // One after the other, so when the second fails after() still drops the first.
    vhost = await createTestVhost('outbox');
    database = await createTestMysqlDatabase('outbox');
    await database.pool.query(OUTBOX_MIGRATION_SQL);
    await database.pool.query(PROCESSED_EVENTS_MIGRATION_SQL);
    registry = new Registry();
    connection = new RabbitConnection({
      url: vhost.url,
      logger: testLogger,
      connectionName: 'outbox-test',
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    });
    connection.start();
    publisher = new EventPublisher(connection, { logger: testLogger, registry, unavailableTimeoutMs: 500 });
    consumer = new EventConsumer(connection, {
      queue: 'outbox-consumer',
      bindings: ['outbox.#'],
      logger: testLogger,
      registry,
      retryDelaysMs: [200],
      idempotency: mysqlIdempotencyStore(database.pool, 'outbox-consumer'),
      handler: async (envelope, handlerContext) => {
        const seen = handled.get(envelope.id);
        handled.set(envelope.id, { count: (seen?.count ?? 0) + 1, context: handlerContext });
      },
    });
    consumer.start();
    relay = new OutboxRelay({
      pool: database.pool,
      publisher,
      logger: testLogger,
      registry,
      pollIntervalMs: 200,
    });
    await Promise.all([publisher.waitUntilReady(10_000), consumer.waitUntilConsuming(10_000)]);
    inspector = await QueueInspector.open(vhost.url);
    await inspector.channel.assertQueue('outbox-wire', { durable: true });
    await inspector.channel.bindQueue('outbox-wire', EVENTS_EXCHANGE, 'outbox.#');
  });

  after(async function () {
    this.timeout(90_000);
    // Whatever happened, leave the broker running for everyone else.
    if (brokerStopped) await startBrokerApp();
    await relay?.stop();
    await consumer?.stop();
    await publisher?.close();
    await connection?.close();
    await inspector?.close();
    await Promise.all([vhost?.drop(), database?.drop()]);
  });

  beforeEach(async () => {
    await inspector?.channel.purgeQueue('outbox-wire');
  });

  it('publishes events of a committed transaction in order, with the trace of the enqueuing request', async () => {
    const envelopes = [1, 2, 3].map((n) => createEnvelope('outbox.committed', { n }));
    const trace = newTraceContext();
    await context.with(trace.context, () => inTransaction(database.pool, envelopes));
    assert.equal(await relay.flushOnce(), 3);

    const wire = await inspector.drain('outbox-wire');
    assert.deepEqual(
      wire.map((message) => message.properties.messageId),
      envelopes.map((envelope) => envelope.id),
    );
    await waitFor(() => envelopes.every((envelope) => handled.has(envelope.id)), {
      what: 'all three handled',
    });
    for (const envelope of envelopes) {
      const delivery = handled.get(envelope.id);
      assert.equal(delivery?.count, 1);
      assert.match(
        headerString(delivery?.context.headers, 'traceparent') ?? '',
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
    assert.equal(await inspector.messageCount('outbox-wire'), 0);
  });

  it('two relays on one table never send a row twice (FOR UPDATE SKIP LOCKED)', async () => {
    const envelopes = Array.from({ length: 30 }, (_, n) => createEnvelope('outbox.shared', { n }));
    await inTransaction(database.pool, envelopes);
    const relays = [1, 2].map(
      () => new OutboxRelay({ pool: database.pool, publisher, logger: testLogger, registry, batchSize: 7 }),
    );
    let total = 0;
    for (;;) {
      const published = await Promise.all(relays.map((each) => each.flushOnce()));
      const round = published.reduce((sum, count) => sum + count, 0);
      if (round === 0) break;
      total += round;
    }
    assert.equal(total, 30);
    assert.equal(await inspector.messageCount('outbox-wire'), 30, 'each row went to the broker once');
  });

  it('measures the backlog: events waiting and how long the oldest has, 0 when none waits', async () => {
    const store = mysqlOutboxStore(database.pool);
    assert.deepEqual(await store.measureBacklog(), { events: 0, oldestAgeSeconds: 0 });
    const [older, newer] = [1, 2].map((n) => createEnvelope('outbox.aged', { n }));
    assert.ok(older && newer);
    await inTransaction(database.pool, [older, newer]);
    await database.pool.query('UPDATE outbox SET created_at = created_at - INTERVAL 90 SECOND WHERE id = ?', [
      older.id,
    ]);
    const waiting = await store.measureBacklog();
    assert.equal(waiting.events, 2);
    assert.ok(
      waiting.oldestAgeSeconds >= 90 && waiting.oldestAgeSeconds < 150,
      `${waiting.oldestAgeSeconds} s`,
    );
    assert.equal(await relay.flushOnce(), 2);
    assert.deepEqual(await store.measureBacklog(), { events: 0, oldestAgeSeconds: 0 });
  });

  it('survives a broker restart: events enqueued before, during and after it are all consumed exactly once', async function () {
    this.timeout(90_000);
    relay.start();
    const enqueued: string[] = [];
    let producing = true;
    // A steady trickle of committed events across the whole outage.
    const producer = (async () => {
      for (let n = 0; producing; n += 1) {
        const envelope = createEnvelope('outbox.restart', { n });
        await inTransaction(database.pool, [envelope]);
        enqueued.push(envelope.id);
        relay.notify();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await waitFor(() => enqueued.length >= 5 && enqueued.every((id) => handled.has(id)), {
        what: 'events flowing before the restart',
      });

      brokerStopped = true;
      await stopBrokerApp();
      await waitFor(() => !connection.isConnected(), { what: 'the connection to notice the outage' });
      const startedAt = Date.now();
      await assert.rejects(publisher.publish(createEnvelope('outbox.direct', {})), PublisherUnavailableError);
      assert.ok(Date.now() - startedAt < 3000, 'publish must not hang while the broker is down');
      const enqueuedBeforeOutage = enqueued.length;
      // Events committed while the broker is down stay in the outbox, their failures recorded.
      await waitFor(
        async () => {
          const rows = await outboxRows(database.pool);
          const waiting = enqueued.slice(enqueuedBeforeOutage).map((id) => rows.get(id));
          return (
            waiting.length >= 3 &&
            waiting.some((row) => row && !row.published && row.attempts > 0 && row.lastError)
          );
        },
        { what: 'failed attempts recorded while the broker is down', timeoutMs: 10_000 },
      );

      await startBrokerApp();
      brokerStopped = false;
      await connection.waitForConnection(30_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      producing = false;
      await producer;
    }

    await waitFor(() => enqueued.every((id) => handled.has(id)), {
      what: `all ${enqueued.length} events consumed`,
      timeoutMs: 30_000,
    });
    for (const id of enqueued) assert.equal(handled.get(id)?.count, 1, `event ${id} handled once`);
    const rows = await outboxRows(database.pool);
    assert.ok(enqueued.every((id) => rows.get(id)?.published));
    await waitFor(async () => (await metricValue(registry, 'outbox_backlog')) === 0, {
      what: 'an empty backlog',
    });
    assert.ok(consumer.isConsuming());
    assert.ok(publisher.isReady());
  });
});
