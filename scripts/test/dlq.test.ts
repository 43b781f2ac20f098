import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createEnvelope } from '@marketshare/platform/contracts';
import {
  deadLetterQueueName,
  EventConsumer,
  EventPublisher,
  RabbitConnection,
} from '@marketshare/platform/rabbit';
import { createTestVhost, waitFor } from '@marketshare/platform/testing';
import type { TestVhost } from '@marketshare/platform/testing';
import { NOTIFICATIONS_QUEUE } from '../../ms-email/src/events/notifications-consumer.js';
import { RATINGS_QUEUE } from '../../ms-products/src/events/ratings-consumer.js';
import { THUMBNAILS_QUEUE } from '../../ms-products/src/events/thumbnail-worker.js';
import { runDlq } from '../dlq/cli.js';
import { SERVICE_CONSUMER_QUEUES } from '../dlq/queues.js';
import { REPO_ROOT } from '../stack/config.js';

const run = promisify(execFile);
const logger = pino({ level: 'silent' });
const QUEUE = 'dlqtest.orders';
const DEAD = deadLetterQueueName(QUEUE);

describe('npm run dlq (dead-letter list, replay, drop)', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let publisher: EventPublisher;
  let consumer: EventConsumer;
  let env: Record<string, string>;
  let failing = true;
  const handled: { id: string; attempt: number }[] = [];
  const first = createEnvelope('dlqtest.created', { n: 1 });
  const second = createEnvelope('dlqtest.created', { n: 2 });

  before(async () => {
    vhost = await createTestVhost('dlq');
    env = { RABBITMQ_URL: vhost.url };
    connection = new RabbitConnection({ url: vhost.url, logger, connectionName: 'dlq-test' });
    connection.start();
    const registry = new Registry();
    publisher = new EventPublisher(connection, { logger, registry });
    consumer = new EventConsumer(connection, {
      queue: QUEUE,
      bindings: ['dlqtest.#'],
      logger,
      registry,
      maxAttempts: 2,
      retryDelaysMs: [100],
      handler: async (envelope, { attempt }) => {
        if (failing) throw new Error('payment gateway said no');
        handled.push({ id: envelope.id, attempt });
      },
    });
    consumer.start();
    await Promise.all([publisher.waitUntilReady(10_000), consumer.waitUntilConsuming(10_000)]);
  });

  after(async () => {
    await consumer?.stop();
    await publisher?.close();
    await connection?.close();
    await vhost?.drop();
  });

  async function listed(): Promise<string> {
    const { exitCode, lines } = await runDlq(['list', QUEUE], env);
    assert.equal(exitCode, 0, lines.join('\n'));
    return lines.join('\n');
  }

  it('lists a message the consumer dead-lettered, with its id, type, routing key, attempts and error', async () => {
    await publisher.publish(first);
    await publisher.publish(second);
    await waitFor(async () => (await listed()).includes(`${DEAD}: 2 message(s)`), {
      what: 'both events in the dead-letter queue',
      timeoutMs: 20_000,
    });
    const output = await listed();
    for (const envelope of [first, second]) {
      assert.match(
        output,
        new RegExp(
          `${envelope.id}  type dlqtest.created  routing key dlqtest.created  attempts 2  dead since \\d{4}-`,
        ),
      );
    }
    assert.match(output, /last error: payment gateway said no/);
    assert.match(output, /^broker: RABBITMQ_URL, vhost dlq_/);
    // Listing leaves the messages where they were.
    assert.match(await listed(), new RegExp(`${DEAD}: 2 message\\(s\\)`));
  });

  it('replays one event by id: the consumer handles it once, from attempt 1; the other stays', async () => {
    failing = false;
    const { exitCode, lines } = await runDlq(['replay', QUEUE, '--id', first.id], env);
    assert.equal(exitCode, 0, lines.join('\n'));
    assert.match(lines.join('\n'), new RegExp(`${DEAD}: replayed 1 of 2 into ${QUEUE}`));
    await waitFor(() => handled.length === 1, { what: 'the replayed event handled' });
    assert.deepEqual(handled, [{ id: first.id, attempt: 1 }]);
    const output = await listed();
    assert.match(output, new RegExp(`${DEAD}: 1 message\\(s\\)`));
    assert.ok(output.includes(second.id) && !output.includes(first.id), output);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(handled.length, 1, 'handled more than once');
  });

  it('drops what is left, which is then never handled', async () => {
    const { exitCode, lines } = await runDlq(['drop', DEAD, '--all'], env);
    assert.equal(exitCode, 0, lines.join('\n'));
    assert.match(lines.join('\n'), new RegExp(`${DEAD}: dropped 1 of 1`));
    assert.match(await listed(), new RegExp(`${DEAD}: 0 message\\(s\\)`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      handled.map((entry) => entry.id),
      [first.id],
    );
  });

  it('says clearly when a replay has nothing to do', async () => {
    const all = await runDlq(['replay', QUEUE, '--all'], env);
    assert.equal(all.exitCode, 0);
    assert.match(all.lines.join('\n'), new RegExp(`${DEAD}: empty; nothing replayed`));
    const unknownId = await runDlq(['replay', QUEUE, '--id', first.id], env);
    assert.equal(unknownId.exitCode, 1, 'a replay of an id that is nowhere is reported as such');
    const missingQueue = await runDlq(['replay', 'no-such-consumer', '--all'], env);
    assert.equal(missingQueue.exitCode, 0);
    assert.match(missingQueue.lines.join('\n'), /no-such-consumer\.dead: does not exist; nothing replayed/);
    assert.deepEqual(
      handled.map((entry) => entry.id),
      [first.id],
    );
  });

  it('refuses bad usage and explains a missing broker configuration', async () => {
    const noSelection = await runDlq(['replay', QUEUE], env);
    assert.equal(noSelection.exitCode, 2);
    assert.match(noSelection.lines.join('\n'), /replay needs exactly one of --id ID or --all/);
    assert.equal((await runDlq(['purge'], env)).exitCode, 2);
    const badUrl = await runDlq(['list'], { RABBITMQ_URL: 'http://example.com' });
    assert.equal(badUrl.exitCode, 2);
    assert.match(badUrl.lines.join('\n'), /RABBITMQ_URL/);
    const emptyState = mkdtempSync(path.join(tmpdir(), 'dlq-state-'));
    try {
      const noStack = await runDlq(['list'], { STACK_DIR: emptyState });
      assert.equal(noStack.exitCode, 2);
      assert.match(noStack.lines.join('\n'), /RABBITMQ_URL is not set and there is no local stack state/);
    } finally {
      rmSync(emptyState, { recursive: true, force: true });
    }
  });

  it('runs as `npm run dlq`', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'dlq', '--', 'list', QUEUE], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    assert.match(stdout, new RegExp(`${DEAD}: 0 message\\(s\\)`));
  });

  it('looks at every service consumer queue by default', () => {
    assert.deepEqual(
      [...SERVICE_CONSUMER_QUEUES].sort(),
      [NOTIFICATIONS_QUEUE, RATINGS_QUEUE, THUMBNAILS_QUEUE].sort(),
    );
  });
});
