import { createHash } from 'node:crypto';
import type {
  RequestedItem,
  ReservationAnswer,
  ReservationRequest,
  Shortage,
  StockedProduct,
} from './ports.js';

/**
 * Identifies what an order asked for, whatever the order of its items: a retry must ask for
 * exactly the same products and quantities to be answered from the stored reservation.
 */
export function requestFingerprint(items: readonly RequestedItem[]): string {
  const canonical = [...items]
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .map((item) => [item.productId, item.quantity]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * All or nothing: the order is reserved only when every product is published and has the
 * stock asked for; otherwise every item that fails is reported and nothing is taken.
 */
export function decideReservation(
  request: ReservationRequest,
  lockedProducts: readonly StockedProduct[],
): ReservationAnswer {
  const byId = new Map(lockedProducts.map((product) => [product.id, product]));
  const shortages: Shortage[] = [];
  let anyUnavailable = false;
  for (const item of request.items) {
    const product = byId.get(item.productId);
    if (!product?.published) {
      anyUnavailable = true;
      shortages.push({ productId: item.productId, requested: item.quantity, available: 0 });
    } else if (product.stock < item.quantity) {
      shortages.push({ productId: item.productId, requested: item.quantity, available: product.stock });
    }
  }
  if (shortages.length > 0) {
    return {
      orderId: request.orderId,
      status: 'rejected',
      reason: anyUnavailable ? 'product_unavailable' : 'insufficient_stock',
      shortages,
    };
  }
  return {
    orderId: request.orderId,
    status: 'reserved',
    items: request.items.map((item) => {
      const product = byId.get(item.productId);
      // Every item passed the check above, which requires its product to be present.
      if (!product) throw new Error(`product ${item.productId} vanished from the locked set`);
      return {
        productId: product.id,
        sellerId: product.sellerId,
        quantity: item.quantity,
        unitPriceMinor: product.priceMinor,
        currency: product.currency,
      };
    }),
  };
}
