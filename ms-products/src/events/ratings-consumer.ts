import type { Logger } from '@marketshare/platform';
import { EventTypes, EventValidationError, validateEvent } from '@marketshare/platform/contracts';
import type { EventEnvelope, ReviewCreated } from '@marketshare/platform/contracts';
import { EventConsumer, PermanentFailure, type RabbitConnection } from '@marketshare/platform/rabbit';
import type { MetricsRegistry } from '@marketshare/platform';
import { RATINGS_CONSUMER, type Ratings } from '../domain/ratings/ratings.js';

/**
 * Topology (declared by the platform consumer on every connect): this durable queue bound to
 * `marketshare.events` for `review.created`, retry queues `ms-products.ratings.retry.<ms>`
 * that lead back into it, and `ms-products.ratings.dead` for events that can never count.
 */
export const RATINGS_QUEUE = RATINGS_CONSUMER;

export interface RatingsConsumerOptions {
  ratings: Ratings;
  logger: Logger;
  registry: MetricsRegistry;
  /** back-off before each retry of a failed update (default 1 s, 5 s, 30 s) */
  retryDelaysMs?: number[];
  stopTimeoutMs?: number;
}

/**
 * Wires review.created to the rating aggregates. An event whose payload breaks the contract
 * is dead-lettered by the platform before it gets here; a database failure is retried.
 * Idempotency is the domain's (processed_events in the same transaction as the update), not
 * the platform hook's, whose check and mark are separate from the handler's transaction.
 */
export function createRatingsConsumer(
  connection: RabbitConnection,
  options: RatingsConsumerOptions,
): EventConsumer {
  return new EventConsumer(connection, {
    queue: RATINGS_QUEUE,
    bindings: [EventTypes.ReviewCreated],
    logger: options.logger,
    registry: options.registry,
    prefetch: 20,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    async handler(envelope) {
      await options.ratings.recordReview(envelope.id, reviewOf(envelope));
    },
  });
}

/** The typed review of an envelope; anything else can never count, so it is dead-lettered. */
function reviewOf(envelope: EventEnvelope<unknown>): ReviewCreated {
  try {
    return validateEvent(EventTypes.ReviewCreated, envelope).data;
  } catch (error) {
    if (error instanceof EventValidationError) throw new PermanentFailure(error.message, { cause: error });
    throw error;
  }
}
