import mongoose from 'mongoose';
import type { CheckoutDocument, OrdersModels } from './models.js';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface CheckoutAttempt {
  id: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  pendingOrderIds: string[];
  response: StoredResponse | undefined;
  createdAt: Date;
}

type StoredCheckout = CheckoutDocument & { _id: string };

const DUPLICATE_KEY = 11000;

function toAttempt(document: StoredCheckout): CheckoutAttempt {
  return {
    id: document._id,
    fingerprint: document.fingerprint,
    // Written from these two literals only.
    state: document.state as CheckoutAttempt['state'],
    pendingOrderIds: [...document.pendingOrderIds],
    response: document.response
      ? { status: document.response.status, body: document.response.body }
      : undefined,
    createdAt: document.createdAt,
  };
}

export const isDuplicateKey = (error: unknown) =>
  error instanceof mongoose.mongo.MongoServerError && error.code === DUPLICATE_KEY;

/** Idempotency records of checkouts, keyed by consumer and Idempotency-Key. */
export class MongoCheckoutStore {
  constructor(private readonly models: OrdersModels) {}

  static idFor(consumerId: string, idempotencyKey: string): string {
    return `${consumerId}:${idempotencyKey}`;
  }

  /** Claims the key; undefined when another request holds it already (read it with find). */
  async claim(attempt: {
    id: string;
    consumerId: string;
    idempotencyKey: string;
    fingerprint: string;
    pendingOrderIds: string[];
  }): Promise<CheckoutAttempt | undefined> {
    try {
      const created = await this.models.checkouts.create({
        _id: attempt.id,
        consumerId: attempt.consumerId,
        idempotencyKey: attempt.idempotencyKey,
        fingerprint: attempt.fingerprint,
        state: 'in_progress',
        pendingOrderIds: attempt.pendingOrderIds,
        createdAt: new Date(),
      });
      return toAttempt(created.toObject<StoredCheckout>());
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  async find(id: string): Promise<CheckoutAttempt | undefined> {
    const document = await this.models.checkouts.findById(id).lean<StoredCheckout>();
    return document ? toAttempt(document) : undefined;
  }

  async recordPendingOrders(id: string, orderIds: string[]): Promise<void> {
    await this.models.checkouts.updateOne({ _id: id }, { $set: { pendingOrderIds: orderIds } });
  }

  async complete(id: string, response: StoredResponse): Promise<void> {
    await this.models.checkouts.updateOne(
      { _id: id, state: 'in_progress' },
      { $set: { state: 'completed', response, completedAt: new Date() } },
    );
  }

  /** Attempts still in progress that started before `cutoff`: their process most likely died. */
  async stuckSince(cutoff: Date, limit: number): Promise<{ id: string; pendingOrderIds: string[] }[]> {
    const documents = await this.models.checkouts
      .find({ state: 'in_progress', createdAt: mongoose.trusted({ $lt: cutoff }) }, { pendingOrderIds: 1 })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<{ _id: string; pendingOrderIds: string[] }[]>();
    return documents.map((document) => ({
      id: document._id,
      pendingOrderIds: [...document.pendingOrderIds],
    }));
  }

  /**
   * Forgets completed attempts older than `retentionMs` (DEDUP_RETENTION_HOURS): a client
   * retries a checkout within minutes, not days; after the window the same key is new again.
   * Attempts in progress are the release sweep's, never pruned here.
   */
  async pruneCompleted(retentionMs: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - retentionMs);
    const result = await this.models.checkouts.deleteMany({
      state: 'completed',
      completedAt: mongoose.trusted({ $lt: cutoff }),
    });
    return result.deletedCount;
  }

  /** Forgets an attempt that changed nothing lasting, so the same key may be tried again. */
  async abandon(id: string): Promise<void> {
    await this.models.checkouts.deleteOne({ _id: id, state: 'in_progress' });
  }
}

/** Order ids whose reservation still has to be released in ms-products. */
export class MongoOutstandingReleases {
  constructor(private readonly models: OrdersModels) {}

  async add(orderIds: string[]): Promise<void> {
    await Promise.all(
      orderIds.map((id) =>
        this.models.outstandingReleases.updateOne(
          { _id: id },
          { $setOnInsert: { since: new Date() } },
          { upsert: true },
        ),
      ),
    );
  }

  async list(limit: number): Promise<string[]> {
    const rows = await this.models.outstandingReleases
      .find({}, { _id: 1 })
      .sort({ since: 1 })
      .limit(limit)
      .lean();
    return rows.map((row) => String(row._id));
  }

  /** Oldest first, with when each was recorded. */
  async listWithSince(limit: number): Promise<{ orderId: string; since: Date }[]> {
    const rows = await this.models.outstandingReleases.find({}).sort({ since: 1 }).limit(limit).lean();
    return rows.map((row) => ({ orderId: String(row._id), since: row.since }));
  }

  async remove(orderId: string): Promise<void> {
    await this.models.outstandingReleases.deleteOne({ _id: orderId });
  }
}
