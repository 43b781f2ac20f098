import type { Logger } from '@marketshare/platform';
import { EventTypes, EventValidationError, validateEvent } from '@marketshare/platform/contracts';
import type { EventEnvelope, ProductImageUploaded } from '@marketshare/platform/contracts';
import { EventConsumer, PermanentFailure, type RabbitConnection } from '@marketshare/platform/rabbit';
import type { MetricsRegistry } from '@marketshare/platform';
import type { ThumbnailMaker } from '../domain/images/thumbnails.js';
import { thumbnailMetrics } from './thumbnail-metrics.js';

/**
 * Durable queue bound to `marketshare.events` for `product.image_uploaded`, with the
 * platform's retry queues (`ms-products.thumbnails.retry.<ms>`) and dead letters
 * (`ms-products.thumbnails.dead`).
 */
export const THUMBNAILS_QUEUE = 'ms-products.thumbnails';

export interface ThumbnailWorkerOptions {
  thumbnails: ThumbnailMaker;
  logger: Logger;
  registry: MetricsRegistry;
  /** images decoded at once (each holds a decoded image in memory) */
  concurrency: number;
  retryDelaysMs?: number[];
  stopTimeoutMs?: number;
}

/**
 * Makes thumbnails from product.image_uploaded. Idempotency is the image row's own state (a
 * ready or failed image is left alone), so duplicate deliveries make one thumbnail; an image
 * or product deleted meanwhile is acknowledged without work; an original that cannot be
 * decoded is marked failed and dead-lettered, since retrying cannot help.
 */
export function createThumbnailWorker(
  connection: RabbitConnection,
  options: ThumbnailWorkerOptions,
): EventConsumer {
  const metrics = thumbnailMetrics(options.registry);
  const logger = options.logger.child({ component: 'thumbnail-worker' });
  return new EventConsumer(connection, {
    queue: THUMBNAILS_QUEUE,
    bindings: [EventTypes.ProductImageUploaded],
    logger: options.logger,
    registry: options.registry,
    prefetch: options.concurrency,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    async handler(envelope) {
      const uploaded = uploadOf(envelope);
      const outcome = await options.thumbnails.make(uploaded);
      metrics.count(outcome);
      if (outcome === 'undecodable') {
        logger.warn({ imageId: uploaded.imageId, productId: uploaded.productId }, 'image cannot be decoded');
        throw new PermanentFailure(`image ${uploaded.imageId} cannot be decoded; marked failed`);
      }
    },
  });
}

/** The typed payload; an event that breaks the contract can never be processed. */
function uploadOf(envelope: EventEnvelope<unknown>): ProductImageUploaded {
  try {
    return validateEvent(EventTypes.ProductImageUploaded, envelope).data;
  } catch (error) {
    if (error instanceof EventValidationError) throw new PermanentFailure(error.message, { cause: error });
    throw error;
  }
}
