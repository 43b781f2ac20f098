/**
 * What the fault suite collects from a run and hands to the invariant checkers: plain data, so
 * the checkers are pure functions that a unit test can feed a deliberately broken data set.
 */

/** The order status machine of DESIGN.md, written down here independently of ms-orders. */
export const ORDER_STATUSES = [
  'RECEIVED',
  'IN_DELIVERY',
  'DELIVERED',
  'CANCELLED',
  'REJECTED',
  'OUT_OF_STOCK',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where an order's history may start: the outcomes of a checkout. */
export const CREATION_STATUSES: readonly string[] = ['RECEIVED', 'REJECTED', 'OUT_OF_STOCK'];

/** The moves after creation: RECEIVED → IN_DELIVERY → DELIVERED, RECEIVED → CANCELLED. */
export const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = {
  RECEIVED: ['IN_DELIVERY', 'CANCELLED'],
  IN_DELIVERY: ['DELIVERED'],
};

/** Orders whose units stay taken from stock (until cancelled, for the first two). */
export const LIVE_STATUSES: readonly string[] = ['RECEIVED', 'IN_DELIVERY', 'DELIVERED'];

export interface CollectedOrder {
  id: string;
  consumerId: string;
  status: string;
  items: { productId: string; quantity: number }[];
  statusHistory: { status: string; at: string }[];
}

export interface CollectedProduct {
  id: string;
  initialStock: number;
  currentStock: number;
}

/** One row of ms-products' stock_reservations joined with its items (none for a refusal). */
export interface CollectedReservation {
  orderId: string;
  status: string;
  /** Still an uncommitted hold (ms-orders never committed it, the sweep has not released it). */
  held: boolean;
  items: { productId: string; quantity: number }[];
}

/** One message of the SMTP sink. */
export interface CollectedEmail {
  /** X-Marketshare-Event-Id: the event it was sent for. */
  eventId: string | undefined;
  subject: string;
  to: string;
}

/** An account whose registration was answered 201: it is owed one welcome email. */
export interface RegisteredAccount {
  id: string;
  email: string;
  companyName: string;
}

/** What the suite did, by kind: the dependencies of each are listed in DEPENDENCIES. */
export type Operation =
  'register' | 'checkout' | 'cancel' | 'advance' | 'list-orders' | 'read-product' | 'create-product';

/** The services a request of each kind needs up (through the gateway, directly or not). */
export const DEPENDENCIES: Readonly<Record<Operation, readonly string[]>> = {
  register: ['ms-users'],
  // ms-orders reserves stock in ms-products with its own token from ms-auth.
  checkout: ['ms-orders', 'ms-products', 'ms-auth'],
  // The stock follow-up of a cancellation is retried by ms-orders' sweep: ms-products may be away.
  cancel: ['ms-orders'],
  advance: ['ms-orders'],
  'list-orders': ['ms-orders'],
  'read-product': ['ms-products'],
  'create-product': ['ms-products'],
};

/** One answer the suite got, with when the request was sent and answered (ms since epoch). */
export interface RecordedResponse {
  operation: Operation;
  path: string;
  startedAt: number;
  endedAt: number;
  /** 0: no answer at all (connection refused or reset, timed out). */
  status: number;
  /** The problem's `code`, or the error's message when there was no answer. */
  code: string;
}

/**
 * A fault as it was injected: `service` was unavailable from `start` until `end` (back, ready
 * and routed by the gateway again). `abrupt`: killed, so requests in flight may be cut off.
 * A fault on no service (the broker cut off from ms-orders) excuses nothing.
 */
export interface FaultWindow {
  name: string;
  service: string | null;
  abrupt: boolean;
  start: number;
  end: number;
}

export interface RunData {
  products: CollectedProduct[];
  orders: CollectedOrder[];
  reservations: CollectedReservation[];
  emails: CollectedEmail[];
  accounts: RegisteredAccount[];
  /** Consumer id → email address, for the recipients of order emails. */
  consumerEmails: ReadonlyMap<string, string>;
  responses: RecordedResponse[];
  windows: FaultWindow[];
  /** Order ids a checkout answered 201 with: each must exist afterwards. */
  acknowledgedOrders: string[];
  /** Status changes answered 200: the order must be at that status or past it. */
  acknowledgedMoves: { orderId: string; status: string }[];
}
