import mongoose from 'mongoose';
import { isDuplicateKey } from './checkouts-store.js';
import type { CartDocument, OrdersModels } from './models.js';

export interface CartLine {
  productId: string;
  quantity: number;
  unitPriceMinorWhenAdded: number;
  currencyWhenAdded: string;
  addedAt: Date;
}

type StoredCart = CartDocument & { _id: string };

/** One cart document per consumer; lines keep the order they were added in. */
export class MongoCartStore {
  constructor(private readonly models: OrdersModels) {}

  async lines(consumerId: string): Promise<CartLine[]> {
    const cart = await this.models.carts.findById(consumerId).lean<StoredCart>();
    return (cart?.items ?? []).map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPriceMinorWhenAdded: item.unitPriceMinorWhenAdded,
      currencyWhenAdded: item.currencyWhenAdded,
      addedAt: item.addedAt,
    }));
  }

  /** Sets a line's quantity (the price seen then is kept from when it was first added). */
  async setLine(consumerId: string, line: CartLine): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = new Date();
      const changed = await this.models.carts.updateOne(
        { _id: consumerId, 'items.productId': line.productId },
        { $set: { 'items.$.quantity': line.quantity, updatedAt: now } },
      );
      if (changed.matchedCount > 0) return;
      try {
        // Conditional on the line being absent, so two concurrent adds cannot both push it.
        await this.models.carts.updateOne(
          { _id: consumerId, 'items.productId': mongoose.trusted({ $ne: line.productId }) },
          { $push: { items: line }, $set: { updatedAt: now } },
          { upsert: true },
        );
        return;
      } catch (error) {
        // The cart exists and holds the line by now (the upsert collided): set it instead.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new Error('the cart kept changing');
  }

  /** True when the line was there. */
  async removeLine(consumerId: string, productId: string): Promise<boolean> {
    const result = await this.models.carts.updateOne(
      { _id: consumerId, 'items.productId': productId },
      { $pull: { items: { productId } }, $set: { updatedAt: new Date() } },
    );
    return result.modifiedCount > 0;
  }

  async removeLines(consumerId: string, productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.models.carts.updateOne(
      { _id: consumerId },
      {
        $pull: { items: { productId: mongoose.trusted({ $in: productIds }) } },
        $set: { updatedAt: new Date() },
      },
    );
  }

  async clear(consumerId: string): Promise<void> {
    await this.models.carts.updateOne({ _id: consumerId }, { $set: { items: [], updatedAt: new Date() } });
  }
}
