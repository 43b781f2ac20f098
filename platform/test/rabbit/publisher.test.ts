import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { createEnvelope, EVENTS_EXCHANGE, EventTypes, newEnvelope } from '../../src/contracts/index.js';
import type { EventEnvelope } from '../../src/contracts/index.js';
import {
  EventConsumer,
  EventPublisher,
  PublisherUnavailableError,
  RabbitConnection,
  UnroutableMessageError,
} from '../../src/rabbit/index.js';
import type { HandlerContext } from '../../src/rabbit/index.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost } from '../../src/testing/rabbit.js';
import type { TestVhost } from '../../src/testing/rabbit.js';
import { headerString, histogramCount, metricValue, QueueInspector, testLogger } from './support/broker.js';
import { activeTraceId, ensureTracePropagation, newTraceContext } from '../../src/testing/tracing.js';

describe('rabbit: EventPublisher', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let publisher: EventPublisher;
  let inspector: QueueInspector;
  let registry: Registry;
  const consumers: EventConsumer[] = [];

  before(async () => {
    ensureTracePropagation();
    vhost = await createTestVhost('publisher');
    registry = new Registry();
    connection = new RabbitConnection({
      url: vhost.url,
      logger: testLogger,
      connectionName: 'publisher-test',
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
    await vhost?.drop();
  });

  it('publishes with confirm; a consumer gets envelope, headers and the trace context', async () => {
    const received: { envelope: EventEnvelope<unknown>; context: HandlerContext; traceId?: string }[] = [];
    const consumer = new EventConsumer(connection, {
      queue: 'welcome-emails',
      bindings: [EventTypes.AccountCreated],
      logger: testLogger,
      registry,
      handler: async (envelope, handlerContext) => {
        received.push({ envelope, context: handlerContext, traceId: activeTraceId() });
      },
    });
    consumers.push(consumer);
    consumer.start();
    await consumer.waitUntilConsuming(10_000);
    // A second queue on the same key, read raw, to see the AMQP properties on the wire.
    await inspector.channel.assertQueue('wire-copy', { durable: false });
    await inspector.channel.bindQueue('wire-copy', EVENTS_EXCHANGE, EventTypes.AccountCreated);

    const envelope = newEnvelope(EventTypes.AccountCreated, {
      accountId: 'acc-1',
      email: 'buyer@example.com',
      username: 'buyer',
      companyName: 'Acme Ltd',
      role: 'consumer',
    });
    const trace = newTraceContext();
    await context.with(trace.context, () =>
      publisher.publish(envelope, { headers: { 'x-request-id': 'req-42' } }),
    );

    await waitFor(() => received.length === 1, { what: 'the consumer to get the event' });
    const [delivery] = received;
    assert.ok(delivery);
    assert.deepEqual(delivery.envelope, envelope);
    assert.equal(delivery.context.attempt, 1);
    assert.equal(delivery.context.redelivered, false);
    assert.equal(delivery.context.routingKey, EventTypes.AccountCreated);
    assert.equal(headerString(delivery.context.headers, 'x-request-id'), 'req-42');
    assert.match(
      headerString(delivery.context.headers, 'traceparent') ?? '',
      new RegExp(`^00-${trace.traceId}-`),
    );
    assert.equal(delivery.traceId, trace.traceId, 'the handler runs in the publisher’s trace');

    const [wire] = await inspector.drain('wire-copy');
    assert.ok(wire);
    assert.equal(wire.properties.messageId, envelope.id);
    assert.equal(wire.properties.type, EventTypes.AccountCreated);
    assert.equal(wire.properties.contentType, 'application/json');
    assert.equal(wire.properties.deliveryMode, 2, 'persistent');
    assert.equal(typeof wire.properties.timestamp, 'number');
    assert.deepEqual(JSON.parse(wire.content.toString('utf8')), envelope);

    const labels = { exchange: EVENTS_EXCHANGE, routing_key: EventTypes.AccountCreated, outcome: 'ack' };
    assert.equal(await metricValue(registry, 'messaging_published_total', labels), 1);
    assert.equal(await histogramCount(registry, 'messaging_publish_duration_seconds', labels), 1);
    await waitFor(
      async () =>
        (await metricValue(registry, 'messaging_consumed_total', {
          queue: 'welcome-emails',
          outcome: 'ack',
        })) === 1,
      { what: 'the ack to be counted' },
    );
  });

  it('rejects a message no queue is bound for (mandatory publish, basic.return)', async () => {
    const envelope = createEnvelope('nobody.listens', { n: 1 });
    await assert.rejects(publisher.publish(envelope), UnroutableMessageError);
    const labels = { exchange: EVENTS_EXCHANGE, routing_key: 'nobody.listens', outcome: 'unroutable' };
    assert.equal(await metricValue(registry, 'messaging_published_total', labels), 1);
    assert.equal(await histogramCount(registry, 'messaging_publish_duration_seconds', labels), 1);
    // The publisher is still usable afterwards.
    await inspector.channel.assertQueue('after-return', { durable: false });
    await inspector.channel.bindQueue('after-return', EVENTS_EXCHANGE, 'after.return');
    await publisher.publish(createEnvelope('after.return', { n: 2 }));
    assert.equal(await inspector.messageCount('after-return'), 1);
  });

  it('rejects promptly, without hanging, while the broker is unreachable', async () => {
    const unreachable = new RabbitConnection({
      url: 'amqp://guest:guest@127.0.0.1:1/',
      logger: testLogger,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    unreachable.start();
    const offline = new EventPublisher(unreachable, {
      logger: testLogger,
      registry,
      unavailableTimeoutMs: 300,
    });
    const startedAt = Date.now();
    try {
      await assert.rejects(offline.publish(createEnvelope('any.thing', {})), PublisherUnavailableError);
      assert.ok(Date.now() - startedAt < 2000, `rejected after ${Date.now() - startedAt} ms`);
      // Timed as well: the wait for a channel is what a caller felt.
      const labels = { exchange: EVENTS_EXCHANGE, routing_key: 'any.thing', outcome: 'unavailable' };
      assert.equal(await histogramCount(registry, 'messaging_publish_duration_seconds', labels), 1);
      assert.equal(unreachable.isConnected(), false);
    } finally {
      await offline.close();
      await unreachable.close();
    }
  });
});
