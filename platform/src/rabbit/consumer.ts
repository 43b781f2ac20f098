import { performance } from 'node:perf_hooks';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { validateKnownEvent } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import { ChannelKeeper } from './channel-keeper.js';
import type { RabbitConnection } from './connection.js';
import { errorMessage, NotYet, PermanentFailure } from './errors.js';
import { HandlerTimeoutError, runWithTimeout } from './handler-timeout.js';
import type { LateOutcome } from './handler-timeout.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { messagingMetrics } from './metrics.js';
import type { ConsumeOutcome, MessagingMetrics } from './metrics.js';
import { attemptOf, copyHeaders, originalRoutingKey } from './republish.js';
import { deadLetter, retryLater } from './settle.js';
import type { Delivery } from './settle.js';
import { declareConsumerTopology, retryDelayAfter } from './topology.js';
import { headerGetter, tracer } from './tracing.js';
import { consumerSettings } from './consumer-options.js';
import type { ConsumerSettings, EventConsumerOptions, HandlerContext } from './consumer-options.js';

export type {
  EventConsumerOptions,
  EventHandler,
  HandlerContext,
  IdempotencyStore,
} from './consumer-options.js';

/**
 * Consumes events from a durable queue bound to the events exchange, with manual acks,
 * delayed retries through per-delay TTL queues, a dead-letter queue, optional idempotency
 * by event id, and a consumer span continuing the publisher's trace.
 */
export class EventConsumer {
  private readonly settings: ConsumerSettings;
  private readonly keeper: ChannelKeeper;
  private readonly metrics: MessagingMetrics;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly byEventId = new KeyedSerializer();
  private consumerTag: string | undefined;

  constructor(
    connection: RabbitConnection,
    private readonly options: EventConsumerOptions,
  ) {
    this.settings = consumerSettings(options);
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
    const deadline = Date.now() + this.settings.stopTimeoutMs;
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
    await channel.prefetch(this.settings.prefetch);
    await declareConsumerTopology(channel, {
      exchange: this.settings.exchange,
      queue,
      bindings,
      retryDelaysMs: this.settings.retryDelaysMs,
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
    const delivery: Delivery = { channel, queue: this.options.queue, message, headers };
    const attempt = attemptOf(headers);
    let envelope: EventEnvelope<unknown>;
    try {
      envelope = validateKnownEvent(JSON.parse(message.content.toString('utf8')));
    } catch (error) {
      return this.deadLetter(delivery, attempt, `malformed message: ${errorMessage(error)}`);
    }
    const routingKey = originalRoutingKey(message, headers);
    const context = { attempt, redelivered: message.fields.redelivered, headers, routingKey };
    return this.byEventId.run(envelope.id, () => this.handle(delivery, envelope, context));
  }

  private async handle(
    delivery: Delivery,
    envelope: EventEnvelope<unknown>,
    context: Omit<HandlerContext, 'signal'>,
  ): Promise<ConsumeOutcome> {
    const { channel, message } = delivery;
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
          await runWithTimeout(
            (signal) => this.options.handler(envelope, { ...context, signal }),
            this.settings.handlerTimeoutMs,
            (late) => this.reportLate(envelope, context, late),
          );
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
    if (failure.error instanceof HandlerTimeoutError) {
      this.metrics.handlerTimeouts.inc({ queue: this.options.queue, routing_key: context.routingKey });
    }
    const reason = errorMessage(failure.error);
    const exhausted = context.attempt >= this.settings.maxAttempts && !(failure.error instanceof NotYet);
    if (failure.error instanceof PermanentFailure || exhausted) {
      return this.deadLetter(delivery, context.attempt, reason);
    }
    const delayMs = retryDelayAfter(context.attempt, this.settings.retryDelaysMs);
    // Waiting is not failing: the copy keeps this attempt's number.
    const counted = !(failure.error instanceof NotYet);
    this.logger.warn(
      { eventId: envelope.id, attempt: context.attempt, retryInMs: delayMs, counted, err: reason },
      'retrying',
    );
    await retryLater(delivery, counted ? context.attempt : context.attempt - 1, delayMs, reason);
    return 'retry';
  }

  /** A handler that timed out finished after all: its message was settled already. */
  private reportLate(
    envelope: EventEnvelope<unknown>,
    context: { attempt: number },
    late: LateOutcome,
  ): void {
    this.logger.warn(
      {
        eventId: envelope.id,
        attempt: context.attempt,
        timeoutMs: this.settings.handlerTimeoutMs,
        late: late.kind,
        ...(late.kind === 'rejected' ? { err: errorMessage(late.error) } : {}),
      },
      'a timed-out handler finished late; its result is ignored',
    );
  }

  private async deadLetter(delivery: Delivery, attempts: number, reason: string): Promise<ConsumeOutcome> {
    this.logger.error(
      { messageId: delivery.message.properties.messageId, attempts, err: reason },
      'dead-lettering message',
    );
    await deadLetter(delivery, attempts, reason);
    return 'dead';
  }
}
