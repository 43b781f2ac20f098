import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export type PublishOutcome = 'ack' | 'unroutable' | 'nack' | 'unavailable';
export type ConsumeOutcome = 'ack' | 'retry' | 'dead' | 'duplicate';

export interface MessagingMetrics {
  published: Counter<'exchange' | 'routing_key' | 'outcome'>;
  consumed: Counter<'queue' | 'outcome'>;
  processDuration: Histogram<'queue'>;
}

// Several publishers and consumers of one service share its registry, and prom-client
// refuses to register a name twice, so the metrics are created once per registry.
const metricsByRegistry = new WeakMap<Registry, MessagingMetrics>();

export function messagingMetrics(registry: Registry): MessagingMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics: MessagingMetrics = {
    published: new Counter({
      name: 'messaging_published_total',
      help: 'Messages published to RabbitMQ, by outcome of the publisher confirm',
      labelNames: ['exchange', 'routing_key', 'outcome'],
      registers: [registry],
    }),
    consumed: new Counter({
      name: 'messaging_consumed_total',
      help: 'Messages taken from a queue, by what became of them (ack, retry, dead, duplicate)',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    processDuration: new Histogram({
      name: 'messaging_process_duration_seconds',
      help: 'Time from delivery to ack of a consumed message, handler included',
      labelNames: ['queue'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
