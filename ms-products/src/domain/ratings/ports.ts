/** A review as it reaches ms-products (from ms-orders' review.created event). */
export interface Review {
  reviewId: string;
  productId: string;
  sellerId: string;
  consumerId: string;
  /** integer 1–5 */
  rating: number;
}

export interface RatingAggregate {
  /** rounded to two decimals; null before the first review */
  average: number | null;
  count: number;
}

/** Storage operations, all inside one database transaction. */
export interface RatingTransaction {
  /**
   * Records that `consumer` applied event `eventId`; false when it had already. A concurrent
   * delivery of the same event waits here until the first transaction ends.
   */
  markProcessed(consumer: string, eventId: string): Promise<boolean>;
  /** Adds a rating to a product's aggregate; false when the product no longer exists. */
  addProductRating(productId: string, rating: number): Promise<boolean>;
  addSellerRating(sellerId: string, rating: number): Promise<void>;
}

export interface RatingStore {
  transaction<T>(work: (tx: RatingTransaction) => Promise<T>): Promise<T>;
  sellerRating(sellerId: string): Promise<RatingAggregate>;
}

export type RatingOutcome = 'applied' | 'duplicate' | 'product_missing';

export interface RatingMetrics {
  outcome(outcome: RatingOutcome): void;
}
