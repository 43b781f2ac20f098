import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createEnvelope } from '../../src/contracts/index.js';
import {
  deadLetterQueueName,
  EventConsumer,
  EventPublisher,
  RabbitConnection,
} from '../../src/rabbit/index.js';
import type { EventConsumerOptions, HandlerContext } from '../../src/rabbit/index.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost } from '../../src/testing/rabbit.js';
import type { TestVhost } from '../../src/testing/rabbit.js';
import { counterTotal, headerString, QueueInspector, testLogger } from './support/broker.js';

const never = () => new Promise<void>(() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rabbit: EventConsumer handler timeout', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
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

  const consumed = (queue: string, outcome: string) =>
    counterTotal(registry, 'messaging_consumed_total', { queue, outcome });

  before(async () => {
    vhost = await createTestVhost('consumer_timeout');
    registry = new Registry();
    connection = new RabbitConnection({ url: vhost.url, logger: testLogger, connectionName: 'timeout-test' });
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

  it('dead-letters a message whose handler hangs, or always throws, while the queue keeps flowing', async () => {
    const handled: number[] = [];
    const poisonAttempts: number[] = [];
    let brokenCalls = 0;
    await startConsumer({
      queue: 'stall',
      // One slot: without a timeout the hanging handler would hold it for good.
      prefetch: 1,
      maxAttempts: 3,
      retryDelaysMs: [100],
      handlerTimeoutMs: 250,
      handler: async (envelope, { attempt }) => {
        if (envelope.type === 'stall.poison') {
          poisonAttempts.push(attempt);
          return never();
        }
        if (envelope.type === 'stall.broken') {
          brokenCalls += 1;
          throw new Error('cannot ever work');
        }
        const data = envelope.data;
        assert.ok(typeof data === 'object' && data !== null && 'n' in data && typeof data.n === 'number');
        handled.push(data.n);
      },
    });
    const poison = createEnvelope('stall.poison', { n: -1 });
    await publisher.publish(poison);
    await publisher.publish(createEnvelope('stall.broken', { n: -2 }));
    for (let n = 0; n < 5; n += 1) await publisher.publish(createEnvelope('stall.normal', { n }));

    await waitFor(() => handled.length === 5, { what: 'the normal messages behind the poison handled' });
    assert.deepEqual([...handled].sort(), [0, 1, 2, 3, 4]);
    await waitFor(async () => (await inspector.messageCount(deadLetterQueueName('stall'))) === 2, {
      what: 'both bad messages in the dead-letter queue',
    });
    assert.deepEqual(poisonAttempts, [1, 2, 3]);
    assert.equal(brokenCalls, 3);
    const dead = await inspector.drain(deadLetterQueueName('stall'));
    const deadPoison = dead.find((message) => message.properties.messageId === poison.id);
    assert.ok(deadPoison, 'the hanging message was dead-lettered');
    assert.equal(headerString(deadPoison.properties.headers, 'x-error'), 'handler timed out after 250 ms');
    assert.equal(deadPoison.properties.headers?.['x-attempts'], 3);
    assert.equal(await consumed('stall', 'ack'), 5);
    assert.equal(await consumed('stall', 'dead'), 2);
    assert.equal(await counterTotal(registry, 'messaging_handler_timeouts_total', { queue: 'stall' }), 3);
    assert.equal(await inspector.messageCount('stall'), 0);
  });

  it('ignores the result of a handler that finishes after its timeout, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    let finishedLate = false;
    await startConsumer({
      queue: 'late',
      maxAttempts: 1,
      handlerTimeoutMs: 200,
      handler: async (_envelope, context: HandlerContext) => {
        signal = context.signal;
        await sleep(600);
        finishedLate = true;
      },
    });
    await publisher.publish(createEnvelope('late.thing', {}));
    await waitFor(async () => (await consumed('late', 'dead')) === 1, {
      what: 'the timed-out attempt dead-lettered',
    });
    assert.equal(signal?.aborted, true, 'the handler was told to give up');
    await waitFor(() => finishedLate, { what: 'the late handler to finish' });
    await sleep(100);
    assert.equal(await consumed('late', 'ack'), 0, 'a late success must not settle the message again');
    assert.equal(await inspector.messageCount(deadLetterQueueName('late')), 1);
  });

  it('refuses a handler timeout that is not a positive timer length', () => {
    const base = { queue: 'x', bindings: ['x'], handler: never, logger: testLogger, registry };
    assert.throws(() => new EventConsumer(connection, { ...base, handlerTimeoutMs: 0 }), RangeError);
    assert.throws(() => new EventConsumer(connection, { ...base, handlerTimeoutMs: 2 ** 31 }), RangeError);
    assert.throws(() => new EventConsumer(connection, { ...base, handlerTimeoutMs: 1.5 }), RangeError);
  });
});
