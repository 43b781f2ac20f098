/** What a stock reservation is made of, and what the use cases need from storage and metrics. */

export type ReservationStatus = 'reserved' | 'rejected' | 'released' | 'confirmed';

export interface RequestedItem {
  /** lower-case UUID */
  productId: string;
  quantity: number;
}

export interface ReservationRequest {
  orderId: string;
  items: RequestedItem[];
}

/** One line of a reservation, at the unit price it was reserved at. */
export interface ReservedItem {
  productId: string;
  sellerId: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
}

export interface Shortage {
  productId: string;
  requested: number;
  /** 0 for a product that does not exist or is not published (its stock is not disclosed) */
  available: number;
}

export type RejectionReason = 'insufficient_stock' | 'product_unavailable';

/** The answer to a reservation request, stored with the order id and replayed to retries. */
export type ReservationAnswer =
  | { orderId: string; status: 'reserved'; items: ReservedItem[] }
  | { orderId: string; status: 'rejected'; reason: RejectionReason; shortages: Shortage[] };

/** A product row as the reservation sees it, locked for the rest of the transaction. */
export interface StockedProduct {
  id: string;
  sellerId: string;
  priceMinor: number;
  currency: string;
  stock: number;
  published: boolean;
}

export interface StoredReservation {
  orderId: string;
  status: ReservationStatus;
  requestHash: string;
  answer: ReservationAnswer;
  /** A reserved hold ms-orders has not committed yet: the sweep releases it after this. */
  heldUntil: Date | null;
  /** Released by the sweep because its hold ran out (status is then `released`). */
  expired: boolean;
}

/** Storage operations, all inside one database transaction. */
export interface ReservationTransaction {
  /**
   * Inserts the order's row; false when the order id exists already. A concurrent claim of
   * the same order id waits here until the first transaction ends: the serialization point.
   */
  claim(orderId: string, requestHash: string): Promise<boolean>;
  /** The order's reservation, row-locked; waits for an in-flight claim of the same order id. */
  lock(orderId: string): Promise<StoredReservation | undefined>;
  /** The requested products that exist, row-locked in id order (so concurrent orders cannot deadlock). */
  lockProducts(productIds: string[]): Promise<StockedProduct[]>;
  /** Takes stock of products locked by lockProducts. */
  takeStock(items: RequestedItem[]): Promise<void>;
  /** Puts stock back (locks the products in id order first); products deleted since are skipped. */
  putBackStock(items: RequestedItem[]): Promise<void>;
  saveItems(orderId: string, items: ReservedItem[]): Promise<void>;
  items(orderId: string): Promise<ReservedItem[]>;
  /** Stores the status and, on the first answer, the answer itself; any status but reserved ends the hold. */
  setStatus(orderId: string, status: ReservationStatus, answer?: ReservationAnswer): Promise<void>;
  /** Makes a reserved reservation a hold until `seconds` from now (by the database's clock). */
  hold(orderId: string, seconds: number): Promise<void>;
  /** Ends the hold: the reservation stays until ms-orders confirms or releases it. */
  commit(orderId: string): Promise<void>;
  /** Marks a just-released reservation as released by the sweep. */
  markExpired(orderId: string): Promise<void>;
  /**
   * The reservation, row-locked, if its hold has run out and no other transaction holds it
   * (SKIP LOCKED: sweeps of several instances share the work instead of waiting on each other).
   */
  lockOverdueHold(orderId: string): Promise<StoredReservation | undefined>;
}

export interface ReservationStore {
  transaction<T>(work: (tx: ReservationTransaction) => Promise<T>): Promise<T>;
  /** Order ids of holds that ran out, oldest first (not locked: each is taken in its own transaction). */
  overdueHolds(limit: number): Promise<string[]>;
}

export type ReservationOutcome =
  | 'reserved'
  | 'rejected'
  | 'duplicate'
  | 'conflict'
  | 'released'
  | 'committed'
  | 'confirmed'
  | 'expired'
  | 'error';

export interface ReservationMetrics {
  outcome(outcome: ReservationOutcome): void;
  /** how long a reserve request took, by its outcome */
  reserveDuration(outcome: ReservationOutcome, seconds: number): void;
}
