import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ConfirmChannel, Message } from 'amqplib';
import type { Logger } from 'pino';
import { EVENTS_EXCHANGE } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import { ChannelKeeper } from './channel-keeper.js';
import type { RabbitConnection } from './connection.js';
import {
  errorMessage,
  PublisherUnavailableError,
  PublishNotConfirmedError,
  UnroutableMessageError,
} from './errors.js';
import { messagingMetrics } from './metrics.js';
import type { MetricsRegistry } from '../metrics-registry.js';
import type { MessagingMetrics, PublishOutcome } from './metrics.js';
import { headerGetter, tracer } from './tracing.js';

export type PublishHeaders = Record<string, string | number | boolean>;

export interface PublishOptions {
  /** defaults to the envelope's type */
  routingKey?: string;
  /** extra headers; a `traceparent` here (e.g. captured by the outbox) is the span's parent */
  headers?: PublishHeaders;
}

export interface EventPublisherOptions {
  logger: Logger;
  registry: MetricsRegistry;
  exchange?: string;
  /** how long publish waits for a channel while disconnected before rejecting (default 2 s) */
  unavailableTimeoutMs?: number;
  /** how long publish waits for the broker's confirm (default 10 s) */
  confirmTimeoutMs?: number;
}

/**
 * Publishes event envelopes to the events exchange on a confirm channel. `publish` resolves
 * only once the broker has taken responsibility for the message, and rejects when it was
 * not routed to any queue, nacked, or the broker is unreachable — so a caller (the outbox)
 * keeps the event and tries again.
 */
export class EventPublisher {
  private readonly exchange: string;
  private readonly keeper: ChannelKeeper;
  private readonly metrics: MessagingMetrics;
  // basic.return arrives before the confirm of the same message, keyed here by messageId
  // until its confirm callback looks it up.
  private readonly returned = new Set<string>();

  constructor(
    connection: RabbitConnection,
    private readonly options: EventPublisherOptions,
  ) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.metrics = messagingMetrics(options.registry);
    this.keeper = new ChannelKeeper(connection, {
      name: `publisher:${this.exchange}`,
      logger: options.logger,
      setup: (channel) => this.setup(channel),
    });
  }

  /** Starts keeping a channel open (publish also starts it on first use). */
  start(): void {
    this.keeper.start();
  }

  /** True when a confirm channel is open: the readiness of publishing. */
  isReady(): boolean {
    return this.keeper.current() !== undefined;
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    this.start();
    await this.keeper.waitForChannel(timeoutMs);
  }

  async publish(envelope: EventEnvelope<unknown>, options: PublishOptions = {}): Promise<void> {
    this.start();
    const routingKey = options.routingKey ?? envelope.type;
    const given = options.headers ?? {};
    // Captured trace context (outbox) wins over whatever happens to be active now.
    const parent =
      typeof given['traceparent'] === 'string'
        ? propagation.extract(ROOT_CONTEXT, given, headerGetter)
        : context.active();
    const span = tracer.startSpan(
      `${this.exchange} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': this.exchange,
          'messaging.rabbitmq.destination.routing_key': routingKey,
          'messaging.message.id': envelope.id,
        },
      },
      parent,
    );
    const headers: PublishHeaders = { ...given };
    const spanContext = trace.setSpan(parent, span);
    propagation.inject(spanContext, headers);
    const startedAt = performance.now();
    try {
      // Sending inside the span's context keeps an amqplib auto-instrumentation (which
      // re-injects from the active context) on this trace rather than the caller's.
      await context.with(spanContext, () => this.send(envelope, routingKey, headers, startedAt));
      this.record(routingKey, 'ack', startedAt);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Closes the channel; the connection belongs to the caller. */
  async close(): Promise<void> {
    await this.keeper.close();
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    channel.on('return', (message: Message) => {
      const messageId: unknown = message.properties.messageId;
      if (typeof messageId === 'string') this.returned.add(messageId);
    });
  }

  private async channelOrFail(routingKey: string, startedAt: number): Promise<ConfirmChannel> {
    const channel = this.keeper.current();
    if (channel) return channel;
    try {
      return await this.keeper.waitForChannel(this.options.unavailableTimeoutMs ?? 2000);
    } catch (error) {
      this.record(routingKey, 'unavailable', startedAt);
      throw new PublisherUnavailableError(`RabbitMQ unavailable: ${errorMessage(error)}`, { cause: error });
    }
  }

  private async send(
    envelope: EventEnvelope<unknown>,
    routingKey: string,
    headers: PublishHeaders,
    startedAt: number,
  ) {
    const channel = await this.channelOrFail(routingKey, startedAt);
    const confirmTimeoutMs = this.options.confirmTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: PublishOutcome, error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.returned.delete(envelope.id);
        if (!error) return resolve();
        this.record(routingKey, outcome, startedAt);
        reject(error);
      };
      const timer = setTimeout(() => {
        settle('nack', new PublishNotConfirmedError(`no publisher confirm within ${confirmTimeoutMs} ms`));
      }, confirmTimeoutMs);
      const onConfirm = (error: unknown): void => {
        if (error) {
          settle('nack', new PublishNotConfirmedError(`not confirmed: ${errorMessage(error)}`));
        } else if (this.returned.has(envelope.id)) {
          settle('unroutable', new UnroutableMessageError(this.exchange, routingKey, 'NO_ROUTE'));
        } else {
          settle('ack');
        }
      };
      try {
        channel.publish(
          this.exchange,
          routingKey,
          Buffer.from(JSON.stringify(envelope)),
          {
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
            messageId: envelope.id,
            type: envelope.type,
            timestamp: Math.floor(Date.now() / 1000),
            headers,
          },
          onConfirm,
        );
      } catch (error) {
        // publish throws synchronously when the channel closed under us.
        settle('unavailable', new PublisherUnavailableError(`RabbitMQ unavailable: ${errorMessage(error)}`));
      }
    });
  }

  /** Counts a publish by outcome and times it from `startedAt` (performance.now()) until now. */
  private record(routingKey: string, outcome: PublishOutcome, startedAt: number): void {
    const labels = { exchange: this.exchange, routing_key: routingKey, outcome };
    this.metrics.published.inc(labels);
    this.metrics.publishDuration.observe(labels, (performance.now() - startedAt) / 1000);
  }
}
