import mongoose from 'mongoose';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import type { DeliveredPurchase, Review, ReviewPosition, ReviewStore } from '../domain/reviews.js';
import { withCapturedTraceContext } from '../events/trace-context.js';
import { isDuplicateKey } from './checkouts-store.js';
import type { OrdersModels, ReviewDocument } from './models.js';

type StoredReview = ReviewDocument & { _id: string };

function toReview(document: StoredReview): Review {
  return {
    id: document._id,
    productId: document.productId,
    consumerId: document.consumerId,
    sellerId: document.sellerId,
    orderId: document.orderId,
    rating: document.rating,
    text: document.text,
    createdAt: document.createdAt,
  };
}

/** Newest first, strictly after `after` (the last review of the previous page). */
function keysetAfter(after: ReviewPosition | undefined): Record<string, unknown> {
  if (!after) return {};
  return {
    $or: [
      { createdAt: mongoose.trusted({ $lt: after.createdAt }) },
      { createdAt: after.createdAt, _id: mongoose.trusted({ $lt: after.id }) },
    ],
  };
}

/** Reviews in MongoDB: one document per review, carrying its pending `review.created` event. */
export class MongoReviewStore implements ReviewStore {
  /** `onEventsWritten` runs after every write that added events (it wakes the outbox relay). */
  constructor(
    private readonly models: OrdersModels,
    private readonly onEventsWritten: () => void = () => undefined,
  ) {}

  async deliveredPurchase(consumerId: string, productId: string): Promise<DeliveredPurchase | undefined> {
    const order = await this.models.orders
      .findOne({ consumerId, status: 'DELIVERED', 'items.productId': productId }, { sellerId: 1 })
      // The earliest delivery, so the same purchase is named however many there were.
      .sort({ createdAt: 1, _id: 1 })
      .lean<{ _id: string; sellerId: string }>();
    return order ? { orderId: order._id, sellerId: order.sellerId } : undefined;
  }

  async insert(review: Review, event: EventEnvelope): Promise<boolean> {
    try {
      await this.models.reviews.create({
        _id: review.id,
        productId: review.productId,
        consumerId: review.consumerId,
        sellerId: review.sellerId,
        orderId: review.orderId,
        rating: review.rating,
        text: review.text,
        outbox: [withCapturedTraceContext(event)],
        createdAt: review.createdAt,
        updatedAt: review.createdAt,
      });
    } catch (error) {
      // The unique index on {consumerId, productId}: of concurrent duplicates, one insert wins.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    this.onEventsWritten();
    return true;
  }

  async listForProduct(
    productId: string,
    options: { limit: number; after?: ReviewPosition },
  ): Promise<Review[]> {
    return this.page({ productId, ...keysetAfter(options.after) }, options.limit);
  }

  async listForConsumer(
    consumerId: string,
    options: { limit: number; after?: ReviewPosition; productId?: string },
  ): Promise<Review[]> {
    return this.page(
      {
        consumerId,
        ...(options.productId ? { productId: options.productId } : {}),
        ...keysetAfter(options.after),
      },
      options.limit,
    );
  }

  private async page(filter: Record<string, unknown>, limit: number): Promise<Review[]> {
    const documents = await this.models.reviews
      .find(filter, { outbox: 0, outboxLeaseUntil: 0, outboxLeaseOwner: 0 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .lean<StoredReview[]>();
    return documents.map(toReview);
  }
}
