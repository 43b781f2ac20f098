import { badRequest, type Static } from '@marketshare/platform';
import type { Order } from '../../domain/orders.js';
import type { OrderPosition } from '../../store/orders-store.js';
import type { OrderView } from './schemas.js';

export function presentOrder(order: Order): Static<typeof OrderView> {
  return {
    id: order.id,
    consumerId: order.consumerId,
    sellerId: order.sellerId,
    status: order.status,
    currency: order.currency,
    items: order.items.map((item) => ({ ...item })),
    totalMinor: order.totalMinor,
    platformFeeMinor: order.platformFeeMinor,
    statusHistory: order.statusHistory.map((change) => ({
      status: change.status,
      at: change.at.toISOString(),
      by: change.by,
    })),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export const presentCheckout = (orders: Order[]) => ({ orders: orders.map(presentOrder) });

/** Any newest-first keyset (orders, reviews): the position of the last item of a page. */
export function encodeCursor(last: OrderPosition): string {
  return Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
}

/** A cursor is only ever our own encoding; anything else is refused, never passed to a query. */
export function decodeCursor(cursor: string): OrderPosition {
  const invalid = () =>
    badRequest('invalid_cursor', 'The cursor is not one this API gave.', [
      { field: 'query.cursor', message: 'is not a cursor from a previous page' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [at, id] = parsed;
  if (typeof at !== 'string' || typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw invalid();
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id };
}
