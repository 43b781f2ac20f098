import type { Logger } from '@marketshare/platform';
import type { RatingAggregate, RatingMetrics, RatingOutcome, RatingStore, Review } from './ports.js';

/** The name this service's review consumer records its processed events under. */
export const RATINGS_CONSUMER = 'ms-products.ratings';

/**
 * Keeps each product's and each seller's rating aggregate (total and count, the average
 * derived) from reviews. Each review event counts once: its id is recorded in the same
 * transaction as the aggregates it changes.
 */
export class Ratings {
  constructor(
    private readonly store: RatingStore,
    private readonly metrics: RatingMetrics,
    private readonly logger: Logger,
  ) {}

  async recordReview(eventId: string, review: Review): Promise<RatingOutcome> {
    const outcome = await this.store.transaction(async (tx): Promise<RatingOutcome> => {
      if (!(await tx.markProcessed(RATINGS_CONSUMER, eventId))) return 'duplicate';
      // The seller earned the review even when the product was deleted since the order.
      await tx.addSellerRating(review.sellerId, review.rating);
      return (await tx.addProductRating(review.productId, review.rating)) ? 'applied' : 'product_missing';
    });
    if (outcome === 'product_missing') {
      this.logger.warn(
        { eventId, reviewId: review.reviewId, productId: review.productId },
        'review of a product that no longer exists: counted for the seller only',
      );
    }
    this.metrics.outcome(outcome);
    return outcome;
  }

  sellerRating(sellerId: string): Promise<RatingAggregate> {
    return this.store.sellerRating(sellerId);
  }
}
