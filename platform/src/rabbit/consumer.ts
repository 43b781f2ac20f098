import { performance } from 'node:perf_hooks';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { EVENTS_EXCHANGE, validateKnownEvent } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import { ChannelKeeper } from './channel-keeper.js';
import type { RabbitConnection } from './connection.js';
import { errorMessage, PermanentFailure } from './errors.js';
import { messagingMetrics } from './metrics.js';
import type { MetricsRegistry } from '../metrics-registry.js';
import type { ConsumeOutcome, MessagingMetrics } from './metrics.js';
import {
  ATTEMPT_HEADER,
  attemptOf,
  copyHeaders,
  originalRoutingKey,
  originHeaders,
  republish,
} from './republish.js';
import { deadLetterQueueName, declareConsumerTopology, retryDelayAfter, retryQueueName } from './topology.js';
import { headerGetter, tracer } from './tracing.js';
import type { AmqpHeaders } from './tracing.js';

export interface HandlerContext {
  /** 1 on the first delivery, incremented by every retry */
  attempt: number;
  /** the broker delivered this copy before (a consumer died without acking it) */
  redelivered: boolean;
  headers: AmqpHeaders;
  routingKey: string;
}

export type EventHandler = (envelope: EventEnvelope<unknown>, context: HandlerContext) => Promise<void>;

/** Remembers which event ids a consumer has handled, so a redelivered event is skipped. */
export interface IdempotencyStore {
  isProcessed(eventId: string): Promise<boolean>;
  markProcessed(eventId: string): Promise<void>;
}

export interface EventConsumerOptions {
  queue: string;
  /** routing keys (topic patterns allowed) bound to the queue */
  bindings: string[];
  /** resolves when the event is handled; throw to retry, throw PermanentFailure to dead-letter */
  handler: EventHandler;
  logger: Logger;
  registry: MetricsRegistry;
  exchange?: string;
  /** unacked messages in flight at once, 1–1000 (default 10) */
  prefetch?: number;
  /** deliveries before an event is dead-lettered (default 5) */
  maxAttempts?: number;
  /** back-off before each retry; the last value repeats (default 1 s, 5 s, 30 s) */
  retryDelaysMs?: number[];
  idempotency?: IdempotencyStore;
  /** how long stop() waits for in-flight handlers (default 10 s) */
  stopTimeoutMs?: number;
}

const MAX_PREFETCH = 1000;
const MAX_ERROR_HEADER_LENGTH = 1000;

/**
 * Consumes events from a durable queue bound to the events exchange, with manual acks,
 * delayed retries through per-delay TTL queues, a dead-letter queue, optional idempotency
 * by event id, and a consumer span continuing the publisher's trace.
 */
export class EventConsumer {
  private readonly exchange: string;
  private readonly prefetch: number;
  private readonly maxAttempts: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly keeper: ChannelKeeper;
  private readonly metrics: MessagingMetrics;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  // Serializes deliveries of one event id within this process, so duplicates that arrive
  // together do not both pass the idempotency check before either is marked.
  private readonly byEventId = new Map<string, Promise<unknown>>();
  private consumerTag: string | undefined;

  constructor(
    connection: RabbitConnection,
    private readonly options: EventConsumerOptions,
  ) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.prefetch = options.prefetch ?? 10;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 5000, 30_000];
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1 || this.prefetch > MAX_PREFETCH) {
      throw new RangeError(`prefetch must be an integer from 1 to ${MAX_PREFETCH}`);
    }
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError('maxAttempts must be a positive integer');
    }
    if (this.retryDelaysMs.length === 0 || this.retryDelaysMs.some((ms) => !Number.isInteger(ms) || ms < 1)) {
      throw new RangeError('retryDelaysMs must be a non-empty list of positive integers');
    }
    this.metrics = messagingMetrics(options.registry);
    this.logger = options.logger.child({ component: 'event-consumer', queue: options.queue });
    this.keeper = new ChannelKeeper(connection, {
      name: `consumer:${options.queue}`,
      logger: options.logger,
      setup: (channel) => this.setup(channel),
    });
  }

  /** Declares the topology and starts consuming as soon as (and whenever) connected. */
  start(): void {
    this.keeper.start();
  }

  isConsuming(): boolean {
    return this.keeper.current() !== undefined;
  }

  async waitUntilConsuming(timeoutMs: number): Promise<void> {
    await this.keeper.waitForChannel(timeoutMs);
  }

  /**
   * Graceful shutdown: cancels the subscription, waits (at most stopTimeoutMs) for handlers
   * in flight to finish and ack, then closes the channel; anything still unacked goes back
   * to the queue for another instance.
   */
  async stop(): Promise<void> {
    const channel = this.keeper.current();
    if (channel && this.consumerTag) {
      await channel.cancel(this.consumerTag).catch((error: unknown) => {
        this.logger.debug({ err: errorMessage(error) }, 'cancel failed; the channel is gone already');
      });
    }
    const deadline = Date.now() + (this.options.stopTimeoutMs ?? 10_000);
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
    }
    if (this.inFlight.size > 0) {
      this.logger.warn({ inFlight: this.inFlight.size }, 'stopping with handlers still running');
    }
    await this.keeper.close();
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    const { queue, bindings } = this.options;
    await channel.prefetch(this.prefetch);
    await declareConsumerTopology(channel, {
      exchange: this.exchange,
      queue,
      bindings,
      retryDelaysMs: this.retryDelaysMs,
    });
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message) {
        this.track(this.deliver(channel, message));
      } else {
        // The broker cancelled us (queue deleted): a fresh channel re-declares and resumes.
        this.logger.warn('consumer cancelled by the broker; reopening');
        channel.close().catch(() => undefined);
      }
    });
    this.consumerTag = consumerTag;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work
      .catch((error: unknown) => this.logger.error({ err: errorMessage(error) }, 'delivery failed'))
      .finally(() => this.inFlight.delete(work));
  }

  private async deliver(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const startedAt = performance.now();
    const labels = {
      queue: this.options.queue,
      routing_key: originalRoutingKey(message, copyHeaders(message)),
    };
    try {
      const outcome = await this.process(channel, message);
      if (outcome) this.metrics.consumed.inc({ ...labels, outcome });
    } catch (error) {
      // Only settling can fail here (e.g. the channel closed): the broker redelivers.
      this.logger.warn({ err: errorMessage(error) }, 'could not settle a message; it will be redelivered');
    } finally {
      this.metrics.processDuration.observe(labels, (performance.now() - startedAt) / 1000);
    }
  }

  private async process(channel: ConfirmChannel, message: ConsumeMessage): Promise<ConsumeOutcome> {
    const headers = copyHeaders(message);
    const attempt = attemptOf(headers);
    let envelope: EventEnvelope<unknown>;
    try {
      envelope = validateKnownEvent(JSON.parse(message.content.toString('utf8')));
    } catch (error) {
      return this.deadLetter(channel, message, headers, attempt, `malformed message: ${errorMessage(error)}`);
    }
    const context: HandlerContext = {
      attempt,
      redelivered: message.fields.redelivered,
      headers,
      routingKey: originalRoutingKey(message, headers),
    };
    return this.exclusively(envelope.id, () => this.handle(channel, message, envelope, context));
  }

  private async handle(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    envelope: EventEnvelope<unknown>,
    context: HandlerContext,
  ): Promise<ConsumeOutcome> {
    const parent = propagation.extract(ROOT_CONTEXT, context.headers, headerGetter);
    const spanOptions = {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': this.options.queue,
        'messaging.rabbitmq.destination.routing_key': context.routingKey,
        'messaging.message.id': envelope.id,
        'messaging.rabbitmq.attempt': context.attempt,
      },
    };
    const failure = await tracer.startActiveSpan(
      `${this.options.queue} process`,
      spanOptions,
      parent,
      async (span) => {
        try {
          const idempotency = this.options.idempotency;
          if (idempotency && (await idempotency.isProcessed(envelope.id))) return 'duplicate' as const;
          await this.options.handler(envelope, context);
          await idempotency?.markProcessed(envelope.id);
          return undefined;
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
          return { error };
        } finally {
          span.end();
        }
      },
    );
    if (failure === 'duplicate') {
      channel.ack(message);
      return 'duplicate';
    }
    if (!failure) {
      channel.ack(message);
      return 'ack';
    }
    const reason = errorMessage(failure.error);
    if (failure.error instanceof PermanentFailure || context.attempt >= this.maxAttempts) {
      return this.deadLetter(channel, message, context.headers, context.attempt, reason);
    }
    const delayMs = retryDelayAfter(context.attempt, this.retryDelaysMs);
    this.logger.warn(
      { eventId: envelope.id, attempt: context.attempt, retryInMs: delayMs, err: reason },
      'retrying',
    );
    await republish(channel, retryQueueName(this.options.queue, delayMs), message, {
      ...context.headers,
      ...originHeaders(message, context.headers),
      [ATTEMPT_HEADER]: context.attempt + 1,
      'x-last-error': reason.slice(0, MAX_ERROR_HEADER_LENGTH),
    });
    channel.ack(message);
    return 'retry';
  }

  private async deadLetter(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    headers: AmqpHeaders,
    attempts: number,
    reason: string,
  ): Promise<ConsumeOutcome> {
    this.logger.error(
      { messageId: message.properties.messageId, attempts, err: reason },
      'dead-lettering message',
    );
    await republish(channel, deadLetterQueueName(this.options.queue), message, {
      ...headers,
      'x-error': reason.slice(0, MAX_ERROR_HEADER_LENGTH),
      'x-attempts': attempts,
      'x-dead-lettered-at': new Date().toISOString(),
      ...originHeaders(message, headers),
    });
    channel.ack(message);
    return 'dead';
  }

  private async exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
    for (let pending = this.byEventId.get(key); pending; pending = this.byEventId.get(key)) {
      await pending.catch(() => undefined);
    }
    const running = work();
    this.byEventId.set(key, running);
    try {
      return await running;
    } finally {
      if (this.byEventId.get(key) === running) this.byEventId.delete(key);
    }
  }
}
