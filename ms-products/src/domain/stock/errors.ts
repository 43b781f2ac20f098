import type { ReservationAnswer, ReservationStatus } from './ports.js';

/** A reservation rule was not met; the API layer picks the HTTP status from `kind`. */
export class ReservationError extends Error {
  override readonly name = 'ReservationError';

  constructor(
    readonly kind: 'not_found' | 'conflict',
    /** stable snake_case code for clients */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const reservationNotFound = (orderId: string) =>
  new ReservationError('not_found', 'reservation_not_found', `No reservation was made for order ${orderId}.`);

export const reservationConflict = (orderId: string) =>
  new ReservationError(
    'conflict',
    'reservation_conflict',
    `Order ${orderId} was reserved with other items; an order id cannot be reused for another request.`,
  );

/**
 * The reservation is in a state the requested transition cannot leave. One released by the
 * sweep (its hold ran out before ms-orders committed it) is `reservation_expired`: its stock
 * was put back and may be sold again, so the order must be treated as having lost its stock.
 */
export const reservationInState = (
  orderId: string,
  stored: { status: ReservationStatus; expired: boolean },
  wanted: string,
) =>
  stored.expired
    ? new ReservationError(
        'conflict',
        'reservation_expired',
        `The reservation of order ${orderId} expired (it was not committed in time) and cannot be ${wanted}; its stock was put back.`,
      )
    : new ReservationError(
        'conflict',
        `reservation_${stored.status}`,
        `The reservation of order ${orderId} is ${stored.status} and cannot be ${wanted}.`,
      );

/** Not every item could be reserved, so none was; carries the stored refusal. */
export class StockUnavailableError extends Error {
  override readonly name = 'StockUnavailableError';

  constructor(readonly answer: Extract<ReservationAnswer, { status: 'rejected' }>) {
    super(`stock unavailable for order ${answer.orderId}: ${answer.reason}`);
  }
}
