import type { OrderStatus } from '@marketshare/platform/contracts';

export type { OrderStatus };

/** Every status of the contract, in the order of an order's life. */
export const ORDER_STATUSES = [
  'RECEIVED',
  'IN_DELIVERY',
  'DELIVERED',
  'CANCELLED',
  'REJECTED',
  'OUT_OF_STOCK',
] as const satisfies readonly OrderStatus[];

/** Compiles only while ORDER_STATUSES lists every status of the contract. */
type AssertNone<T extends never> = T;
export type _EveryStatusListed = AssertNone<Exclude<OrderStatus, (typeof ORDER_STATUSES)[number]>>;

export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface StatusChange {
  status: OrderStatus;
  at: Date;
  /** the account that made the change; `system` for checkout outcomes */
  by: string;
}

export interface Order {
  id: string;
  consumerId: string;
  sellerId: string;
  status: OrderStatus;
  currency: string;
  items: OrderItem[];
  totalMinor: number;
  platformFeeMinor: number;
  statusHistory: StatusChange[];
  createdAt: Date;
  updatedAt: Date;
}

/** Who may read or change an order: its consumer or its seller. */
export interface Actor {
  id: string;
  role: 'consumer' | 'seller';
}

const NEXT: Partial<Record<OrderStatus, readonly OrderStatus[]>> = {
  RECEIVED: ['IN_DELIVERY', 'CANCELLED'],
  IN_DELIVERY: ['DELIVERED'],
};

export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

/** Sellers move their orders forward; consumers may only cancel theirs. */
export function mayRequest(actor: Actor, to: OrderStatus): boolean {
  if (actor.role === 'seller') return to === 'IN_DELIVERY' || to === 'DELIVERED';
  return to === 'CANCELLED';
}

/** The statuses a transition could start from, for a conditional update. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => isLegalTransition(from, to));
}
