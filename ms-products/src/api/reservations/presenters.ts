import { HttpProblem, type Static } from '@marketshare/platform';
import { ReservationError, StockUnavailableError } from '../../domain/stock/errors.js';
import type { ReservationView as DomainReservationView } from '../../domain/stock/reservations.js';
import type { ReservationView, StockUnavailableExtensions } from './schemas.js';

export function presentReservation(view: DomainReservationView): Static<typeof ReservationView> {
  return {
    orderId: view.orderId,
    status: view.status,
    items: view.items.map((item) => ({
      productId: item.productId,
      sellerId: item.sellerId,
      quantity: item.quantity,
      unitPriceMinor: item.unitPriceMinor,
      currency: item.currency,
    })),
  };
}

/** Reservation errors as problem+json; a refusal carries its shortages as extension members. */
export function reservationProblem(error: unknown): unknown {
  if (error instanceof StockUnavailableError) {
    const { orderId, status, reason, shortages } = error.answer;
    // `status` of a problem is its HTTP status (RFC 9457), so the reservation's is named apart.
    const extensions: Static<typeof StockUnavailableExtensions> = {
      orderId,
      reservationStatus: status,
      reason,
      shortages,
    };
    return new HttpProblem(409, 'stock_unavailable', 'Not every item is available; nothing was reserved.', {
      extensions,
    });
  }
  if (error instanceof ReservationError) {
    return new HttpProblem(error.kind === 'not_found' ? 404 : 409, error.code, error.message);
  }
  return error;
}
