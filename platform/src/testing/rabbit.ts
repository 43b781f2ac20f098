import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestVhost {
  /** amqp URL of the base broker with the vhost path (url-encoded) */
  url: string;
  vhost: string;
  /** deletes the vhost with everything in it */
  drop(): Promise<void>;
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
}

/**
 * A fresh, uniquely named RabbitMQ vhost for one test run, so queues and exchanges never
 * meet another run's. Needs `rabbitmqctl` (root on the build machines). The broker is
 * RABBITMQ_URL's (default amqp://guest:guest@127.0.0.1:5672), and its user gets full
 * permissions on the vhost.
 */
export async function createTestVhost(prefix = 'test'): Promise<TestVhost> {
  const base = new URL(process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
  const user = decodeURIComponent(base.username || 'guest');
  const vhost = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  // The local stack may be (re)starting the broker just now: wait for it rather than fail.
  await rabbitmqctl('await_startup', '--timeout', '60');
  await rabbitmqctl('add_vhost', vhost);
  try {
    await rabbitmqctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
  } catch (error) {
    await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
    throw error;
  }
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  let dropped = false;
  return {
    url: url.toString(),
    vhost,
    async drop() {
      if (dropped) return;
      dropped = true;
      await rabbitmqctl('await_startup', '--timeout', '60');
      await rabbitmqctl('delete_vhost', vhost);
    },
  };
}
