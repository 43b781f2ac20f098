import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createEnvelope, EVENTS_EXCHANGE, EventTypes } from '../../src/contracts/index.js';
import { mysqlIdempotencyStore, PROCESSED_EVENTS_MIGRATION_SQL } from '../../src/outbox/index.js';
import {
  deadLetterQueueName,
  EventConsumer,
  EventPublisher,
  NotYet,
  PermanentFailure,
  RabbitConnection,
  retryQueueName,
} from '../../src/rabbit/index.js';
import type { EventConsumerOptions, HandlerContext } from '../../src/rabbit/index.js';
import { createTestMysqlDatabase } from '../../src/testing/mysql-db.js';
import type { TestMysqlDatabase } from '../../src/testing/mysql-db.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost } from '../../src/testing/rabbit.js';
import type { TestVhost } from '../../src/testing/rabbit.js';
import {
  counterTotal,
  headerString,
  histogramCount,
  metricValue,
  QueueInspector,
  testLogger,
} from './support/broker.js';

describe('rabbit: EventConsumer', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let database: TestMysqlDatabase;
  let connection: RabbitConnection;
  let publisher: EventPublisher;
  let inspector: QueueInspector;
  let registry: Registry;
  const consumers: EventConsumer[] = [];

  async function startConsumer(
    options: Pick<EventConsumerOptions, 'queue' | 'handler'> & Partial<EventConsumerOptions>,
  ): Promise<EventConsumer> {
    const consumer = new EventConsumer(connection, {
      bindings: [`${options.queue}.#`],
      logger: testLogger,
      registry,
      ...options,
    });
    consumers.push(consumer);
    consumer.start();
    await consumer.waitUntilConsuming(10_000);
    return consumer;
  }

  // Over every routing key the queue is bound to.
  const consumed = (queue: string, outcome: string) =>
    counterTotal(registry, 'messaging_consumed_total', { queue, outcome });

  before(async () => {
    // One after the other, so when the second fails after() still drops the first.
    vhost = await createTestVhost('consumer');
    database = await createTestMysqlDatabase('rabbit_consumer');
    await database.pool.query(PROCESSED_EVENTS_MIGRATION_SQL);
    registry = new Registry();
    connection = new RabbitConnection({
      url: vhost.url,
      logger: testLogger,
      connectionName: 'consumer-test',
    });
    connection.start();
    publisher = new EventPublisher(connection, { logger: testLogger, registry });
    await publisher.waitUntilReady(10_000);
    inspector = await QueueInspector.open(vhost.url);
  });

  after(async () => {
    for (const consumer of consumers) await consumer.stop();
    await publisher?.close();
    await connection?.close();
    await inspector?.close();
    await Promise.all([vhost?.drop(), database?.drop()]);
  });

  it('retries a failing handler with back-off until it succeeds, counting attempts', async () => {
    const calls: { attempt: number; at: number }[] = [];
    await startConsumer({
      queue: 'flaky',
      retryDelaysMs: [300, 600],
      handler: async (_envelope, { attempt }) => {
        calls.push({ attempt, at: Date.now() });
        if (attempt < 3) throw new Error(`transient failure ${attempt}`);
      },
    });
    await publisher.publish(createEnvelope('flaky.thing', { n: 1 }));
    await waitFor(async () => (await consumed('flaky', 'ack')) === 1, {
      what: 'the third attempt to succeed',
    });
    assert.deepEqual(
      calls.map((call) => call.attempt),
      [1, 2, 3],
    );
    const [first, second, third] = calls.map((call) => call.at);
    assert.ok(first !== undefined && second !== undefined && third !== undefined);
    assert.ok(second - first >= 250, `first back-off was ${second - first} ms`);
    assert.ok(third - second >= 550, `second back-off was ${third - second} ms`);
    assert.equal(await consumed('flaky', 'retry'), 2);
    assert.equal(await inspector.messageCount(retryQueueName('flaky', 300)), 0);
    assert.equal(await inspector.messageCount(retryQueueName('flaky', 600)), 0);
    assert.equal(await inspector.messageCount(deadLetterQueueName('flaky')), 0);
  });

  it('dead-letters an event after maxAttempts with the error and attempts in its headers', async () => {
    let calls = 0;
    await startConsumer({
      queue: 'doomed',
      maxAttempts: 3,
      retryDelaysMs: [100],
      handler: async () => {
        calls += 1;
        throw new Error('smtp server refused');
      },
    });
    const envelope = createEnvelope('doomed.thing', { n: 1 });
    await publisher.publish(envelope);
    await waitFor(async () => (await inspector.messageCount(deadLetterQueueName('doomed'))) === 1, {
      what: 'the event in the dead-letter queue',
    });
    assert.equal(calls, 3);
    const [dead] = await inspector.drain(deadLetterQueueName('doomed'));
    assert.ok(dead);
    assert.deepEqual(JSON.parse(dead.content.toString('utf8')), envelope);
    assert.equal(dead.properties.messageId, envelope.id);
    assert.equal(headerString(dead.properties.headers, 'x-error'), 'smtp server refused');
    assert.equal(dead.properties.headers?.['x-attempts'], 3);
    assert.equal(headerString(dead.properties.headers, 'x-original-routing-key'), 'doomed.thing');
    assert.equal(await consumed('doomed', 'retry'), 2);
    assert.equal(await consumed('doomed', 'dead'), 1);
    // Retries come back through a retry queue: counted and timed under the key first published.
    const byKey = { queue: 'doomed', routing_key: 'doomed.thing' };
    assert.equal(await metricValue(registry, 'messaging_consumed_total', { ...byKey, outcome: 'retry' }), 2);
    assert.equal(await metricValue(registry, 'messaging_consumed_total', { ...byKey, outcome: 'dead' }), 1);
    assert.equal(await histogramCount(registry, 'messaging_process_duration_seconds', byKey), 3);
  });

  it('dead-letters at once when the handler throws PermanentFailure', async () => {
    let calls = 0;
    await startConsumer({
      queue: 'permanent',
      retryDelaysMs: [100],
      handler: async () => {
        calls += 1;
        throw new PermanentFailure('recipient address rejected');
      },
    });
    await publisher.publish(createEnvelope('permanent.thing', {}));
    await waitFor(async () => (await consumed('permanent', 'dead')) === 1, { what: 'the dead letter' });
    assert.equal(calls, 1);
    const [dead] = await inspector.drain(deadLetterQueueName('permanent'));
    assert.equal(headerString(dead?.properties.headers, 'x-error'), 'recipient address rejected');
    assert.equal(dead?.properties.headers?.['x-attempts'], 1);
    assert.equal(await consumed('permanent', 'retry'), 0);
  });

  it('retries NotYet without counting attempts: waiting out a lease never dead-letters', async () => {
    // The fault suite's finding: ms-email killed mid-send left a claim that outlived its retries.
    const attempts: number[] = [];
    await startConsumer({
      queue: 'notyet',
      maxAttempts: 2,
      retryDelaysMs: [50],
      handler: async (_envelope, context) => {
        attempts.push(context.attempt);
        if (attempts.length <= 4) throw new NotYet('held by another instance');
      },
    });
    await publisher.publish(createEnvelope('notyet.thing', {}));
    await waitFor(async () => (await consumed('notyet', 'ack')) === 1, { what: 'the ack after waiting' });
    assert.deepEqual(attempts, [1, 1, 1, 1, 1]);
    assert.equal(await consumed('notyet', 'dead'), 0);
    assert.deepEqual(await inspector.drain(deadLetterQueueName('notyet')), []);
  });

  it('dead-letters malformed messages without calling the handler', async () => {
    let calls = 0;
    await startConsumer({
      queue: 'strict',
      bindings: ['strict.#', EventTypes.AccountCreated],
      handler: async () => {
        calls += 1;
      },
    });
    inspector.channel.publish(EVENTS_EXCHANGE, 'strict.raw', Buffer.from('{not json'));
    inspector.channel.publish(
      EVENTS_EXCHANGE,
      'strict.raw',
      Buffer.from(JSON.stringify({ id: 'no-envelope' })),
    );
    // A known event type whose payload breaks its contract.
    const badAccount = createEnvelope(EventTypes.AccountCreated, { accountId: 'a', role: 'admin' });
    inspector.channel.publish(
      EVENTS_EXCHANGE,
      EventTypes.AccountCreated,
      Buffer.from(JSON.stringify(badAccount)),
    );
    await waitFor(async () => (await consumed('strict', 'dead')) === 3, { what: 'three dead letters' });
    assert.equal(calls, 0);
    const dead = await inspector.drain(deadLetterQueueName('strict'));
    assert.equal(dead.length, 3);
    for (const message of dead) {
      assert.match(headerString(message.properties.headers, 'x-error') ?? '', /^malformed message: /);
    }
    assert.equal(dead[0]?.content.toString('utf8'), '{not json');
  });

  it('handles an event id once however often it arrives (MySQL idempotency store)', async () => {
    const handled: string[] = [];
    await startConsumer({
      queue: 'once',
      idempotency: mysqlIdempotencyStore(database.pool, 'once'),
      handler: async (envelope) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        handled.push(envelope.id);
      },
    });
    const envelope = createEnvelope('once.thing', { n: 1 });
    // Two copies at once (in flight together) and a third after the first was handled.
    await Promise.all([publisher.publish(envelope), publisher.publish(envelope)]);
    await waitFor(async () => (await consumed('once', 'ack')) + (await consumed('once', 'duplicate')) === 2, {
      what: 'both copies settled',
    });
    await publisher.publish(envelope);
    await waitFor(async () => (await consumed('once', 'duplicate')) === 2, { what: 'the late copy skipped' });
    assert.deepEqual(handled, [envelope.id]);
    assert.equal(await consumed('once', 'ack'), 1);
    assert.equal(
      await mysqlIdempotencyStore(database.pool, 'another-consumer').isProcessed(envelope.id),
      false,
    );
  });

  it('stop() waits for the handler in flight, which then acks', async () => {
    let started = false;
    let finished = false;
    const consumer = await startConsumer({
      queue: 'slow',
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        finished = true;
      },
    });
    await publisher.publish(createEnvelope('slow.thing', {}));
    await waitFor(() => started, { what: 'the handler to start' });
    const stoppingAt = Date.now();
    await consumer.stop();
    assert.equal(finished, true, 'stop resolved before the handler finished');
    assert.ok(Date.now() - stoppingAt >= 500, 'stop did not wait');
    assert.equal(consumer.isConsuming(), false);
    assert.equal(await consumed('slow', 'ack'), 1);
    assert.equal(await inspector.messageCount('slow'), 0, 'the message was acked, not requeued');
  });

  it('refuses an unbounded prefetch and an empty back-off list', () => {
    const handler = async (_envelope: unknown, _context: HandlerContext) => undefined;
    const base = { queue: 'x', bindings: ['x'], handler, logger: testLogger, registry };
    assert.throws(() => new EventConsumer(connection, { ...base, prefetch: 0 }), RangeError);
    assert.throws(() => new EventConsumer(connection, { ...base, prefetch: 100_000 }), RangeError);
    assert.throws(() => new EventConsumer(connection, { ...base, retryDelaysMs: [] }), RangeError);
  });
});
