import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import pino from 'pino';
import type { Registry } from 'prom-client';

const run = promisify(execFile);

export const testLogger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

/** Stops the RabbitMQ application (the Erlang node stays up); every connection drops. */
export async function stopBrokerApp(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'stop_app'], { timeout: 60_000 });
}

/** Starts the RabbitMQ application and waits until it accepts connections again. */
export async function startBrokerApp(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'start_app'], { timeout: 60_000 });
  await run('rabbitmqctl', ['-q', 'await_startup', '--timeout', '60'], { timeout: 70_000 });
}

/** A plain amqplib channel for looking at queues from outside the code under test. */
export class QueueInspector {
  private constructor(
    private readonly model: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async open(url: string): Promise<QueueInspector> {
    const model = await connect(url);
    model.on('error', () => undefined);
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    return new QueueInspector(model, channel);
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Takes every message now in the queue, in order. */
  async drain(queue: string): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await this.channel.get(queue, { noAck: true });
      if (!message) return messages;
      messages.push(message);
    }
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

/** The value of one labelled series of a counter or gauge in a registry (0 when absent). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return series?.value ?? 0;
}

/** The sum of every series of a counter whose labels include `labels` (e.g. over routing keys). */
export async function counterTotal(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) =>
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

/** How many observations one labelled series of a histogram in a registry holds (0 when absent). */
export async function histogramCount(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = values.find(
    (value) =>
      // A histogram's values are its buckets, sum and count, told apart by their metric name.
      'metricName' in value &&
      value.metricName === `${name}_count` &&
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return series?.value ?? 0;
}

export function headerString(headers: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = headers?.[key];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
