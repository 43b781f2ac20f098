import mongoose from 'mongoose';
import type { OrderStatus } from '../domain/orders.js';
import type { OrderDocument, OrdersModels } from './models.js';

/** The statuses the progression simulator moves orders out of. */
export const PROGRESSING_STATUSES: readonly OrderStatus[] = ['RECEIVED', 'IN_DELIVERY'];

/** An order the simulator may move, at the version it was read. */
export interface ProgressingOrder {
  id: string;
  consumerId: string;
  sellerId: string;
  status: OrderStatus;
  version: number;
  /** when its current status was entered */
  since: Date;
}

type StoredProgressingOrder = Pick<
  OrderDocument,
  '_id' | 'consumerId' | 'sellerId' | 'status' | 'version' | 'statusHistory' | 'createdAt'
>;

const PROJECTION = { consumerId: 1, sellerId: 1, status: 1, version: 1, statusHistory: 1, createdAt: 1 };

function toProgressingOrder(document: StoredProgressingOrder): ProgressingOrder {
  return {
    id: document._id,
    consumerId: document.consumerId,
    sellerId: document.sellerId,
    status: document.status,
    version: document.version,
    since: document.statusHistory.at(-1)?.at ?? document.createdAt,
  };
}

/**
 * The progression simulator's view of the orders: each moving order's next step time
 * (`simulatedNextAt`, which every status change clears), found through the status index.
 */
export class MongoProgressionStore {
  constructor(private readonly models: OrdersModels) {}

  /** Moving orders whose next step has no time yet (new, or just changed). */
  async unscheduled(limit: number): Promise<ProgressingOrder[]> {
    const documents = await this.models.orders
      .find({ status: mongoose.trusted({ $in: PROGRESSING_STATUSES }), simulatedNextAt: null }, PROJECTION)
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean<StoredProgressingOrder[]>();
    return documents.map(toProgressingOrder);
  }

  /** Moving orders whose next step is due at `now`, longest due first. */
  async due(now: Date, limit: number): Promise<ProgressingOrder[]> {
    const documents = await this.models.orders
      .find(
        {
          status: mongoose.trusted({ $in: PROGRESSING_STATUSES }),
          simulatedNextAt: mongoose.trusted({ $lte: now }),
        },
        PROJECTION,
      )
      .sort({ simulatedNextAt: 1, _id: 1 })
      .limit(limit)
      .lean<StoredProgressingOrder[]>();
    return documents.map(toProgressingOrder);
  }

  /** Sets the next step's time unless the order changed or another instance planned it first. */
  async schedule(order: ProgressingOrder, at: Date): Promise<boolean> {
    const result = await this.models.orders.updateOne(
      { _id: order.id, version: order.version, simulatedNextAt: null },
      { $set: { simulatedNextAt: at } },
    );
    return result.modifiedCount === 1;
  }
}
