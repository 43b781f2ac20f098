import type { Logger, MetricsRegistry } from '@marketshare/platform';
import { OutboxRelay } from '@marketshare/platform/outbox';
import type { EventPublisher } from '@marketshare/platform/rabbit';
import type { OrdersModels } from '../store/models.js';
import { mongoOutboxStore, outboxCollectionOf, type OutboxCollection } from './mongo-outbox-store.js';

export interface OrdersRelayOptions {
  models: OrdersModels;
  publisher: EventPublisher;
  logger: Logger;
  registry: MetricsRegistry;
  pollIntervalMs: number;
  /** events per batch */
  batchSize: number;
  leaseMs: number;
}

/** Every collection of ms-orders whose documents carry their own events. */
export function outboxCollections(models: OrdersModels): OutboxCollection[] {
  return [outboxCollectionOf(models.orders), outboxCollectionOf(models.reviews)];
}

/**
 * The platform's OutboxRelay (confirms, per-event retry, the `outbox_backlog` gauge) over the
 * single-document outboxes of orders and reviews: the same relay loop as the SQL services,
 * one mechanism, one relay per process.
 */
export function ordersOutboxRelay(options: OrdersRelayOptions): OutboxRelay {
  return new OutboxRelay({
    store: mongoOutboxStore(outboxCollections(options.models), { leaseMs: options.leaseMs }),
    publisher: options.publisher,
    logger: options.logger,
    registry: options.registry,
    pollIntervalMs: options.pollIntervalMs,
    batchSize: options.batchSize,
  });
}
