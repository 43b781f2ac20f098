import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../metrics-registry.js';

export type PublishOutcome = 'ack' | 'unroutable' | 'nack' | 'unavailable';
export type ConsumeOutcome = 'ack' | 'retry' | 'dead' | 'duplicate';

export interface MessagingMetrics {
  published: Counter<'exchange' | 'routing_key' | 'outcome'>;
  publishDuration: Histogram<'exchange' | 'routing_key' | 'outcome'>;
  consumed: Counter<'queue' | 'routing_key' | 'outcome'>;
  processDuration: Histogram<'queue' | 'routing_key'>;
  handlerTimeouts: Counter<'queue' | 'routing_key'>;
}

// Several publishers and consumers of one service share its registry, and prom-client
// refuses to register a name twice, so the metrics are created once per registry.
const metricsByRegistry = new WeakMap<MetricsRegistry, MessagingMetrics>();

/**
 * RabbitMQ publish and consume metrics. `routing_key` is the event type (a closed set: the
 * contracts' types); on a consumed message it is the key it was first published with, so a
 * retried or dead-lettered message counts under its event, not under a retry queue's key.
 */
export function messagingMetrics(registry: MetricsRegistry): MessagingMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics: MessagingMetrics = {
    published: new Counter({
      name: 'messaging_published_total',
      help: 'Messages published to RabbitMQ, by outcome of the publisher confirm',
      labelNames: ['exchange', 'routing_key', 'outcome'],
      registers: [registry],
    }),
    publishDuration: new Histogram({
      name: 'messaging_publish_duration_seconds',
      help: 'Time from publish to the outcome of the publisher confirm (ack, unroutable, nack, unavailable), waiting for a channel included',
      labelNames: ['exchange', 'routing_key', 'outcome'],
      // A confirm takes milliseconds; the top buckets catch waits for a channel (2 s) and
      // confirm timeouts (10 s).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    consumed: new Counter({
      name: 'messaging_consumed_total',
      help: 'Messages taken from a queue, by routing key and what became of them (ack, retry, dead, duplicate)',
      labelNames: ['queue', 'routing_key', 'outcome'],
      registers: [registry],
    }),
    processDuration: new Histogram({
      name: 'messaging_process_duration_seconds',
      help: 'Time from delivery to ack of a consumed message, handler included',
      labelNames: ['queue', 'routing_key'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    handlerTimeouts: new Counter({
      name: 'messaging_handler_timeouts_total',
      help: 'Consumer handlers given up on after their timeout (each counted as a failed attempt)',
      labelNames: ['queue', 'routing_key'],
      registers: [registry],
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
