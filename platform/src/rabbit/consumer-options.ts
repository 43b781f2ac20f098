import type { Logger } from 'pino';
import { EVENTS_EXCHANGE } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import type { MetricsRegistry } from '../metrics-registry.js';
import type { AmqpHeaders } from './tracing.js';

export interface HandlerContext {
  /** 1 on the first delivery, incremented by every retry */
  attempt: number;
  /** the broker delivered this copy before (a consumer died without acking it) */
  redelivered: boolean;
  headers: AmqpHeaders;
  routingKey: string;
  /** aborted when the handler runs past handlerTimeoutMs: stop what you are doing */
  signal: AbortSignal;
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
  /**
   * How long one handler call may run (default 30 s). Past it the attempt counts as failed
   * (retried with back-off, dead-lettered after maxAttempts) and its message is settled, so a
   * hanging handler cannot hold a prefetch slot for good; the late result is ignored.
   */
  handlerTimeoutMs?: number;
}

const MAX_PREFETCH = 1000;
const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
// setTimeout cannot wait longer than 2^31 - 1 ms; a longer delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The tuning options with their defaults filled in, checked. */
export interface ConsumerSettings {
  exchange: string;
  prefetch: number;
  maxAttempts: number;
  retryDelaysMs: readonly number[];
  handlerTimeoutMs: number;
  stopTimeoutMs: number;
}

export function consumerSettings(options: EventConsumerOptions): ConsumerSettings {
  const settings: ConsumerSettings = {
    exchange: options.exchange ?? EVENTS_EXCHANGE,
    prefetch: options.prefetch ?? 10,
    maxAttempts: options.maxAttempts ?? 5,
    retryDelaysMs: options.retryDelaysMs ?? [1000, 5000, 30_000],
    handlerTimeoutMs: options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  };
  const { prefetch, maxAttempts, retryDelaysMs, handlerTimeoutMs } = settings;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > MAX_PREFETCH) {
    throw new RangeError(`prefetch must be an integer from 1 to ${MAX_PREFETCH}`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError('maxAttempts must be a positive integer');
  }
  if (retryDelaysMs.length === 0 || retryDelaysMs.some((ms) => !Number.isInteger(ms) || ms < 1)) {
    throw new RangeError('retryDelaysMs must be a non-empty list of positive integers');
  }
  if (!Number.isInteger(handlerTimeoutMs) || handlerTimeoutMs < 1 || handlerTimeoutMs > MAX_TIMER_MS) {
    throw new RangeError(`handlerTimeoutMs must be an integer from 1 to ${MAX_TIMER_MS}`);
  }
  return settings;
}
