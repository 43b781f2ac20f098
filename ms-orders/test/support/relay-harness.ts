/**
 * What the relay tests are built from: a collector of what reached the broker, relay instances
 * of their own over the app's database, the backlog gauge, and orders written straight in.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@marketshare/platform';
import { EVENTS_EXCHANGE } from '@marketshare/platform/contracts';
import type { OutboxRelay } from '@marketshare/platform/outbox';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { connect } from 'amqplib';
import { Registry } from 'prom-client';
import { ordersOutboxRelay } from '../../src/events/relay.js';
import type { OrdersTestApp } from './orders-harness.js';

const logger = createLogger({
  service: 'ms-orders-events-test',
  level: process.env['LOG_LEVEL'] ?? 'silent',
});
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StoredEvent {
  id: string;
  type: string;
  sentAt: Date | null;
  attempts: number;
}

interface ReceivedEvent {
  id: string;
  type: string;
  orderId: unknown;
  data: unknown;
  traceparent: unknown;
}

export interface EventCollector {
  received: ReceivedEvent[];
  countsById(): Map<string, number>;
  close(): Promise<void>;
}

/** Everything published to the events exchange of the vhost, in arrival order. */
export async function startEventCollector(amqpUrl: string): Promise<EventCollector> {
  const connection = await connect(amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
  const received: ReceivedEvent[] = [];
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      // The relay publishes JSON envelopes; the test only reads their id and order id.
      const envelope = JSON.parse(message.content.toString('utf8')) as {
        id: string;
        data: { orderId?: unknown };
      };
      received.push({
        id: envelope.id,
        type: message.fields.routingKey,
        orderId: envelope.data.orderId,
        data: envelope.data,
        traceparent: message.properties.headers?.['traceparent'],
      });
    },
    { noAck: true },
  );
  return {
    received,
    countsById() {
      const counts = new Map<string, number>();
      for (const event of received) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
      return counts;
    },
    async close() {
      await connection.close();
    },
  };
}

/** A relay with its own connection and publisher, as one ms-orders instance runs it. */
export interface RelayInstance {
  relay: OutboxRelay;
  registry: Registry;
  publisher: EventPublisher;
  stop(): Promise<void>;
}

export function startRelay(app: OrdersTestApp, amqpUrl: string, batchSize: number): RelayInstance {
  const rabbit = new RabbitConnection({
    url: amqpUrl,
    logger,
    connectionName: 'ms-orders-events-test',
    connectTimeoutMs: 1_000,
    reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
  });
  rabbit.start();
  const registry = new Registry();
  const publisher = new EventPublisher(rabbit, {
    logger,
    registry,
    unavailableTimeoutMs: 300,
    confirmTimeoutMs: 3_000,
  });
  const relay = ordersOutboxRelay({
    models: app.models,
    publisher,
    logger,
    registry,
    pollIntervalMs: 100,
    batchSize,
    leaseMs: 15_000,
  });
  relay.start();
  return {
    relay,
    registry,
    publisher,
    async stop() {
      await relay.stop();
      await publisher.close();
      await rabbit.close();
    },
  };
}

export async function backlogOf(registry: Registry): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('outbox_backlog')?.get();
  return metric?.values[0]?.value;
}

export async function oldestEventAgeOf(registry: Registry): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('outbox_oldest_event_age_seconds')?.get();
  return metric?.values[0]?.value;
}

/** An order document written straight into the collection, carrying three pending events. */
export function syntheticOrder() {
  const id = randomUUID();
  const at = new Date();
  const event = (type: string, status: string) => ({
    id: randomUUID(),
    type,
    occurredAt: at.toISOString(),
    data: { orderId: id, status },
    headers: {},
    sentAt: null,
  });
  return {
    _id: id,
    checkoutId: randomUUID(),
    consumerId: 'relay-consumer',
    sellerId: 'relay-seller',
    status: 'DELIVERED',
    currency: 'EUR',
    items: [
      { productId: randomUUID(), name: 'Widget', quantity: 1, unitPriceMinor: 100, lineTotalMinor: 100 },
    ],
    totalMinor: 100,
    platformFeeMinor: 2,
    statusHistory: [{ status: 'RECEIVED', at, by: 'system' }],
    outbox: [
      event('order.created', 'RECEIVED'),
      event('order.status_changed', 'IN_DELIVERY'),
      event('order.status_changed', 'DELIVERED'),
    ],
    createdAt: at,
    updatedAt: at,
  };
}
