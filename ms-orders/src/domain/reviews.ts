import {
  createEnvelope,
  EventTypes,
  type EventEnvelope,
  type ReviewCreated,
} from '@marketshare/platform/contracts';
import { OrdersError } from './errors.js';

export const REVIEW_TEXT_MAX_LENGTH = 2000;
export const MIN_RATING = 1;
export const MAX_RATING = 5;

export interface Review {
  id: string;
  productId: string;
  consumerId: string;
  sellerId: string;
  orderId: string;
  rating: number;
  text: string;
  createdAt: Date;
}

/** Where a review sits in a newest-first list (the keyset of a page's cursor). */
export interface ReviewPosition {
  createdAt: Date;
  id: string;
}

/** A delivered order of the consumer that contained the product: what entitles a review. */
export interface DeliveredPurchase {
  orderId: string;
  sellerId: string;
}

export interface ReviewStore {
  deliveredPurchase(consumerId: string, productId: string): Promise<DeliveredPurchase | undefined>;
  /** Stores the review with its event in one write; false when the consumer reviewed it already. */
  insert(review: Review, event: EventEnvelope): Promise<boolean>;
  listForProduct(productId: string, options: { limit: number; after?: ReviewPosition }): Promise<Review[]>;
  listForConsumer(
    consumerId: string,
    options: { limit: number; after?: ReviewPosition; productId?: string },
  ): Promise<Review[]>;
}

export interface NewReview {
  productId: string;
  rating: number;
  text: string;
}

/** Reviews of received products: one per consumer and product, announced by `review.created`. */
export class Reviews {
  constructor(
    private readonly store: ReviewStore,
    private readonly newId: () => string,
  ) {}

  async create(consumerId: string, input: NewReview): Promise<Review> {
    if (!Number.isInteger(input.rating) || input.rating < MIN_RATING || input.rating > MAX_RATING) {
      throw new OrdersError(
        'bad_request',
        'invalid_rating',
        `A rating is a whole number from ${MIN_RATING} to ${MAX_RATING}.`,
      );
    }
    const productId = input.productId.toLowerCase();
    const purchase = await this.store.deliveredPurchase(consumerId, productId);
    if (!purchase) {
      throw new OrdersError(
        'forbidden',
        'review_not_allowed',
        'Only a consumer who received the product (a delivered order) may review it.',
      );
    }
    const createdAt = new Date();
    const review: Review = {
      id: this.newId(),
      productId,
      consumerId,
      sellerId: purchase.sellerId,
      orderId: purchase.orderId,
      rating: input.rating,
      text: input.text.trim(),
      createdAt,
    };
    const event = createEnvelope<ReviewCreated>(
      EventTypes.ReviewCreated,
      {
        reviewId: review.id,
        productId,
        sellerId: review.sellerId,
        consumerId,
        rating: review.rating,
      },
      createdAt,
    );
    if (!(await this.store.insert(review, event))) {
      throw new OrdersError('conflict', 'review_exists', 'You have reviewed this product already.');
    }
    return review;
  }

  listForProduct(productId: string, options: { limit: number; after?: ReviewPosition }): Promise<Review[]> {
    return this.store.listForProduct(productId.toLowerCase(), options);
  }

  listForConsumer(
    consumerId: string,
    options: { limit: number; after?: ReviewPosition; productId?: string },
  ): Promise<Review[]> {
    const { productId, ...rest } = options;
    return this.store.listForConsumer(consumerId, {
      ...rest,
      ...(productId ? { productId: productId.toLowerCase() } : {}),
    });
  }
}
