import mongoose, { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ORDER_STATUSES } from '../domain/orders.js';

// Filters built from request input can never smuggle operators in ($gt, $where ...): mongoose
// wraps any such object in $eq, and filters on undeclared paths throw. Our own operator
// filters are marked with mongoose.trusted().
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');

const OrderItemSchema = new Schema(
  {
    productId: { type: String, required: true },
    name: { type: String, required: true },
    quantity: { type: Number, required: true },
    unitPriceMinor: { type: Number, required: true },
    lineTotalMinor: { type: Number, required: true },
  },
  { _id: false },
);

const StatusChangeSchema = new Schema(
  {
    status: { type: String, enum: ORDER_STATUSES, required: true },
    at: { type: Date, required: true },
    by: { type: String, required: true },
  },
  { _id: false },
);

/** An event waiting in its order's document (single-document outbox) until the relay publishes it. */
const OutboxEventSchema = new Schema(
  {
    id: { type: String, required: true },
    // `type` alone would be read as this sub-document's type declaration.
    type: { type: String, required: true },
    occurredAt: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    /** W3C trace context of the write that produced the event, so the publish joins its trace. */
    headers: { type: Schema.Types.Mixed, default: {} },
    /** Set only after RabbitMQ confirmed the event; null while it waits. */
    sentAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
  },
  { _id: false },
);

const OrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    checkoutId: { type: String, required: true },
    consumerId: { type: String, required: true },
    sellerId: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    currency: { type: String, required: true },
    items: { type: [OrderItemSchema], required: true },
    totalMinor: { type: Number, required: true },
    platformFeeMinor: { type: Number, required: true },
    paymentReference: { type: String, default: null },
    statusHistory: { type: [StatusChangeSchema], required: true },
    /** A release or confirm of the order's reservation ms-products still has to hear about. */
    reservationFollowUp: { type: String, enum: ['release', 'confirm', null], default: null },
    outbox: { type: [OutboxEventSchema], default: [] },
    /** A relay instance holds the order's outbox until then (null or past: free), so two never send it both. */
    outboxLeaseUntil: { type: Date, default: null },
    outboxLeaseOwner: { type: String, default: null },
    version: { type: Number, default: 0 },
    /** When the progression simulator takes the order's next step (null: not planned; a status change clears it). */
    simulatedNextAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'orders' },
);
OrderSchema.index({ consumerId: 1, createdAt: -1, _id: -1 });
OrderSchema.index({ sellerId: 1, createdAt: -1, _id: -1 });
OrderSchema.index({ reservationFollowUp: 1 });
OrderSchema.index({ 'outbox.sentAt': 1 });
OrderSchema.index({ status: 1, simulatedNextAt: 1 });

const CartItemSchema = new Schema(
  {
    productId: { type: String, required: true },
    quantity: { type: Number, required: true },
    /** the price shown when it was put in the cart, to warn when it changes */
    unitPriceMinorWhenAdded: { type: Number, required: true },
    currencyWhenAdded: { type: String, required: true },
    addedAt: { type: Date, required: true },
  },
  { _id: false },
);

const CartSchema = new Schema(
  {
    _id: { type: String, required: true },
    items: { type: [CartItemSchema], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'carts' },
);

const StoredResponseSchema = new Schema(
  { status: { type: Number, required: true }, body: { type: Schema.Types.Mixed, required: true } },
  { _id: false },
);

/**
 * One checkout attempt per consumer and Idempotency-Key. The order ids are written here before
 * ms-products is asked for anything, so an attempt that never finished can still be released.
 */
const CheckoutSchema = new Schema(
  {
    _id: { type: String, required: true },
    consumerId: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, enum: ['in_progress', 'completed'], required: true },
    pendingOrderIds: { type: [String], default: [] },
    response: { type: StoredResponseSchema, default: null },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'checkouts' },
);
CheckoutSchema.index({ state: 1, createdAt: 1 });

/**
 * Reservations a failed checkout could not release at once (ms-products was unreachable); a
 * sweep releases them once it is back. Releasing is idempotent by order id.
 */
const OutstandingReleaseSchema = new Schema(
  { _id: { type: String, required: true }, since: { type: Date, required: true } },
  { versionKey: false, collection: 'outstanding_releases' },
);

/**
 * One review per consumer and product (the unique index makes concurrent duplicates fail), with
 * its `review.created` event in its own outbox, written in the same insert, like an order's.
 */
const ReviewSchema = new Schema(
  {
    _id: { type: String, required: true },
    productId: { type: String, required: true },
    consumerId: { type: String, required: true },
    /** the seller and the delivered order that entitled the consumer to review */
    sellerId: { type: String, required: true },
    orderId: { type: String, required: true },
    rating: { type: Number, required: true },
    text: { type: String, default: '' },
    outbox: { type: [OutboxEventSchema], default: [] },
    outboxLeaseUntil: { type: Date, default: null },
    outboxLeaseOwner: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'reviews' },
);
ReviewSchema.index({ consumerId: 1, productId: 1 }, { unique: true });
ReviewSchema.index({ productId: 1, createdAt: -1, _id: -1 });
ReviewSchema.index({ consumerId: 1, createdAt: -1, _id: -1 });
ReviewSchema.index({ 'outbox.sentAt': 1 });

export type OrderDocument = InferSchemaType<typeof OrderSchema>;
export type CartDocument = InferSchemaType<typeof CartSchema>;
export type CheckoutDocument = InferSchemaType<typeof CheckoutSchema>;
export type ReviewDocument = InferSchemaType<typeof ReviewSchema>;

export interface OrdersModels {
  orders: Model<OrderDocument>;
  carts: Model<CartDocument>;
  checkouts: Model<CheckoutDocument>;
  outstandingReleases: Model<InferSchemaType<typeof OutstandingReleaseSchema>>;
  reviews: Model<ReviewDocument>;
}

export function ordersModels(connection: Connection): OrdersModels {
  return {
    orders: connection.model('Order', OrderSchema),
    carts: connection.model('Cart', CartSchema),
    checkouts: connection.model('Checkout', CheckoutSchema),
    outstandingReleases: connection.model('OutstandingRelease', OutstandingReleaseSchema),
    reviews: connection.model('Review', ReviewSchema),
  };
}

/** Builds the indexes (idempotent); run once at start. */
export async function ensureIndexes(models: OrdersModels): Promise<void> {
  await Promise.all([
    models.orders.init(),
    models.carts.init(),
    models.checkouts.init(),
    models.outstandingReleases.init(),
    models.reviews.init(),
  ]);
}
