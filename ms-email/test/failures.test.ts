import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { accountCreated, address, Harness } from './support/harness.js';

const run = promisify(execFile);

async function rabbitmqctl(command: 'stop_app' | 'start_app'): Promise<void> {
  await run('rabbitmqctl', ['-q', command], { timeout: 90_000 });
}

describe('ms-email: failures', function () {
  this.timeout(20_000);
  let harness: Harness;
  let brokerStopped = false;

  before(async function () {
    this.timeout(60_000);
    harness = await Harness.start();
  });

  after(async function () {
    this.timeout(120_000);
    // Whatever happened in the restart test, leave the shared broker running.
    if (brokerStopped) await rabbitmqctl('start_app');
    await harness?.close();
  });

  it('retries while the SMTP server is down and delivers once, after it is back', async () => {
    const failedBefore = await harness.counter('emails_total', { type: 'welcome', outcome: 'failed' });
    await harness.stopSmtp();
    const event = accountCreated();
    await harness.publish(event);

    await waitFor(
      async () => {
        const record = await harness.service.deliveryLog.find(event.id);
        return record?.status === 'failed' && record.attempts >= 2;
      },
      { what: 'two failed attempts' },
    );
    const ready = await httpRequest(`${harness.baseUrl}/readyz`);
    assert.equal(ready.status, 200, 'an SMTP outage means retries, not an unready instance');
    await harness.restartSmtp();

    const record = await harness.waitForStatus(event.id, 'sent');
    assert.ok(record.attempts >= 3, `attempts: ${record.attempts}`);
    assert.equal(harness.mailsTo(event.data.email).length, 1);
    const failed = await harness.counter('emails_total', { type: 'welcome', outcome: 'failed' });
    assert.ok(failed >= failedBefore + 2);
  });

  it('dead-letters after the configured attempts when the recipient is always refused', async () => {
    const deadBefore = await harness.counter('emails_total', { type: 'welcome', outcome: 'dead' });
    const event = accountCreated({ email: address('rejected') });
    await harness.publish(event);

    const letter = await harness.waitForDeadLetter(event.id);
    assert.equal(letter.headers['x-attempts'], harness.config.EMAIL_MAX_ATTEMPTS);
    const record = await harness.waitForStatus(event.id, 'dead');
    assert.equal(record.attempts, harness.config.EMAIL_MAX_ATTEMPTS);
    assert.match(record.lastError ?? '', /550/);
    assert.deepEqual(harness.mailsTo(event.data.email), []);
    assert.equal(await harness.counter('emails_total', { type: 'welcome', outcome: 'dead' }), deadBefore + 1);
  });

  it('delivers events published before and after a RabbitMQ restart exactly once', async function () {
    this.timeout(90_000);
    // The slow one is still being sent when the broker goes: its ack is lost with the
    // connection, the broker redelivers it after the restart and the delivery log
    // recognises the duplicate.
    const before = [accountCreated(), accountCreated({ email: address('slow') }), accountCreated()];
    for (const event of before) await harness.publish(event);
    const inFlight = before[1];
    assert.ok(inFlight);
    await harness.waitForStatus(inFlight.id, 'sending');

    brokerStopped = true;
    await rabbitmqctl('stop_app');
    await waitFor(() => !harness.service.connection.isConnected(), { what: 'the consumer to see the drop' });
    const unready = await httpRequest(`${harness.baseUrl}/readyz`);
    assert.equal(unready.status, 503);
    assert.notEqual(JSON.stringify(unready.body).indexOf('"rabbitmq":"not consuming'), -1, unready.text);
    await rabbitmqctl('start_app');
    brokerStopped = false;
    await harness.service.consumer.waitUntilConsuming(30_000);

    const after = [accountCreated(), accountCreated()];
    for (const event of after) await harness.publish(event);

    const all = [...before, ...after];
    for (const event of all) await harness.waitForStatus(event.id, 'sent', 30_000);
    await waitFor(async () => (await harness.queueDepth()) === 0, { what: 'an empty queue' });
    for (const event of all) {
      assert.equal(harness.mailsTo(event.data.email).length, 1, `one email to ${event.data.email}`);
    }
    assert.ok(
      (await harness.counter('emails_total', { type: 'welcome', outcome: 'duplicate' })) >= 1,
      'the redelivered in-flight event was recognised as a duplicate',
    );
  });

  it('lets an in-flight send finish before it stops', async () => {
    const event = accountCreated({ email: address('slow') });
    await harness.publish(event);
    await harness.waitForStatus(event.id, 'sending');

    await harness.service.stop();

    assert.equal(harness.mailsTo(event.data.email).length, 1, 'the SMTP server accepted the message');
    assert.equal(await harness.statusInDatabase(event.id), 'sent');
    assert.equal(await harness.queueDepth(), 0, 'acked, not handed back to the queue');
  });
});
