/** What ms-orders needs from ms-products; the HTTP adapter lives in src/upstream. */
export interface ProductSnapshot {
  id: string;
  sellerId: string;
  name: string;
  priceMinor: number;
  currency: string;
  stock: number;
}

export interface RequestedItem {
  productId: string;
  quantity: number;
}

export interface ReservedItem {
  productId: string;
  sellerId: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
}

export type ReservationOutcome =
  | { outcome: 'reserved'; items: ReservedItem[] }
  | {
      outcome: 'refused';
      reason: string;
      shortages: { productId: string; requested: number; available: number }[];
    };

/**
 * Calls that cannot reach ms-products (down, slow, 5xx) throw UpstreamUnavailableError from
 * the platform; anything else unexpected throws too.
 */
export interface ProductsPort {
  /** A published product, or undefined when it does not exist or is not for sale. */
  findProduct(productId: string): Promise<ProductSnapshot | undefined>;
  reserve(orderId: string, items: RequestedItem[]): Promise<ReservationOutcome>;
  /** Safe to call for any order id; `not_found` when ms-products never reserved anything for it. */
  release(orderId: string): Promise<'released' | 'not_found'>;
  /**
   * Ends the reservation's hold just before its order is stored (until then ms-products puts
   * the stock back after its hold time); `expired` when it did so already: the stock is lost.
   */
  commit(orderId: string): Promise<'committed' | 'expired'>;
  /** `expired`: ms-products had put the stock back (never committed); nothing left to confirm. */
  confirm(orderId: string): Promise<'confirmed' | 'expired'>;
}

export interface PaymentRequest {
  orderId: string;
  consumerId: string;
  amountMinor: number;
  currency: string;
}

export type PaymentDecision = { approved: true; reference: string } | { approved: false; reason: string };

/** A payment authorizer; the built-in one is a simulator (payments.ts). */
export interface PaymentProvider {
  authorize(request: PaymentRequest): Promise<PaymentDecision>;
}
