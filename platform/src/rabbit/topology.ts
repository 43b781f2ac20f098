import type { ConfirmChannel } from 'amqplib';

export function retryQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead`;
}

/** The back-off before attempt `attempt + 1`; attempts past the list reuse its last delay. */
export function retryDelayAfter(attempt: number, retryDelaysMs: readonly number[]): number {
  const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length) - 1];
  if (delay === undefined) throw new Error('retryDelaysMs must not be empty');
  return delay;
}

export interface ConsumerTopology {
  exchange: string;
  queue: string;
  bindings: readonly string[];
  retryDelaysMs: readonly number[];
}

/**
 * Declares, idempotently (it runs again on every reconnect):
 * - the durable topic exchange and the durable main queue bound to it per routing key;
 * - one retry queue per distinct delay, `<queue>.retry.<ms>`: messages wait out the TTL
 *   there and are dead-lettered through the default exchange back into the main queue
 *   (one fixed TTL per queue keeps expiry in FIFO order);
 * - the dead-letter queue `<queue>.dead`, where messages stay for a human to look at.
 */
export async function declareConsumerTopology(
  channel: ConfirmChannel,
  topology: ConsumerTopology,
): Promise<void> {
  const { exchange, queue } = topology;
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  for (const routingKey of topology.bindings) await channel.bindQueue(queue, exchange, routingKey);
  for (const delayMs of new Set(topology.retryDelaysMs)) {
    await channel.assertQueue(retryQueueName(queue, delayMs), {
      durable: true,
      arguments: {
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
      },
    });
  }
  await channel.assertQueue(deadLetterQueueName(queue), { durable: true });
}
