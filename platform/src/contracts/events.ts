import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

/** The one durable topic exchange every service publishes its domain events to. */
export const EVENTS_EXCHANGE = 'marketshare.events';

/**
 * Event types. Each type is also the routing key it is published with, so consumers bind
 * queues to exactly these strings (or topic patterns over them, e.g. `order.*`).
 */
export const EventTypes = {
  AccountCreated: 'account.created',
  AccountPasswordResetRequested: 'account.password_reset_requested',
  OrderCreated: 'order.created',
  OrderStatusChanged: 'order.status_changed',
  ReviewCreated: 'review.created',
  ProductImageUploaded: 'product.image_uploaded',
  AuthTokenRevoked: 'auth.token_revoked',
  AuthSessionRevoked: 'auth.session_revoked',
  AuthSubjectRevoked: 'auth.subject_revoked',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Routing keys are the event types; the alias documents intent at binding sites. */
export const RoutingKeys = EventTypes;

// Payloads tolerate unknown properties on purpose: producers may add fields before every
// consumer knows them, and an additive change must not dead-letter events.

export const AccountRoleSchema = Type.Union([Type.Literal('seller'), Type.Literal('consumer')]);

export const AccountCreatedSchema = Type.Object({
  accountId: Type.String({ minLength: 1 }),
  email: Type.String({ format: 'email' }),
  username: Type.String({ minLength: 1 }),
  companyName: Type.String({ minLength: 1 }),
  role: AccountRoleSchema,
});
export type AccountCreated = Static<typeof AccountCreatedSchema>;

export const AccountPasswordResetRequestedSchema = Type.Object({
  accountId: Type.String({ minLength: 1 }),
  email: Type.String({ format: 'email' }),
  username: Type.String({ minLength: 1 }),
  companyName: Type.String({ minLength: 1 }),
  resetUrl: Type.String({ format: 'uri' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type AccountPasswordResetRequested = Static<typeof AccountPasswordResetRequestedSchema>;

export const OrderStatusSchema = Type.Union([
  Type.Literal('RECEIVED'),
  Type.Literal('IN_DELIVERY'),
  Type.Literal('DELIVERED'),
  Type.Literal('CANCELLED'),
  Type.Literal('REJECTED'),
  Type.Literal('OUT_OF_STOCK'),
]);
export type OrderStatus = Static<typeof OrderStatusSchema>;

// The order, review and product payloads below are deliberately minimal; the issues that
// build ms-orders and ms-products refine them (additively, see the note above).

export const OrderItemSchema = Type.Object({
  productId: Type.String({ minLength: 1 }),
  name: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  unitPriceMinor: Type.Integer({ minimum: 0 }),
});

export const OrderCreatedSchema = Type.Object({
  orderId: Type.String({ minLength: 1 }),
  consumerId: Type.String({ minLength: 1 }),
  sellerId: Type.String({ minLength: 1 }),
  status: OrderStatusSchema,
  totalMinor: Type.Integer({ minimum: 0 }),
  /**
   * The platform fee on the order (0 unless RECEIVED): the marketplace's commission, taken from
   * the seller's payout. The consumer pays `totalMinor` (the items' sum) and never sees the fee.
   */
  platformFeeMinor: Type.Optional(Type.Integer({ minimum: 0 })),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  items: Type.Array(OrderItemSchema),
});
export type OrderCreated = Static<typeof OrderCreatedSchema>;

export const OrderStatusChangedSchema = Type.Object({
  orderId: Type.String({ minLength: 1 }),
  consumerId: Type.String({ minLength: 1 }),
  sellerId: Type.String({ minLength: 1 }),
  from: OrderStatusSchema,
  to: OrderStatusSchema,
  changedAt: Type.String({ format: 'date-time' }),
});
export type OrderStatusChanged = Static<typeof OrderStatusChangedSchema>;

/**
 * A consumer reviewed a product they received (ms-orders → ms-products, which keeps the
 * product's and the seller's rating aggregates; each event id counts once).
 */
export const ReviewCreatedSchema = Type.Object({
  reviewId: Type.String({ minLength: 1, maxLength: 64 }),
  productId: Type.String({ format: 'uuid' }),
  /** the seller of the order the product was bought in */
  sellerId: Type.String({ minLength: 1, maxLength: 64 }),
  consumerId: Type.String({ minLength: 1, maxLength: 64 }),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
});
export type ReviewCreated = Static<typeof ReviewCreatedSchema>;

/**
 * An image was stored for a product (its row is `pending`): ms-products' thumbnail worker
 * makes the thumbnail. contentType is the type sniffed from the bytes, not the one declared.
 */
export const ProductImageUploadedSchema = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  imageId: Type.String({ format: 'uuid' }),
  sellerId: Type.String({ minLength: 1 }),
  contentType: Type.String({ pattern: '^image/[a-z0-9.+-]+$' }),
});
export type ProductImageUploaded = Static<typeof ProductImageUploadedSchema>;

// Revocations: every service that verifies access tokens locally applies them (see
// platform/src/auth/revocation-list.ts). Minimal on purpose: ids and instants, no personal data.

/** One access token was revoked before it expired (RFC 7009 on an access token). */
export const AuthTokenRevokedSchema = Type.Object({
  jti: Type.String({ minLength: 1, maxLength: 64 }),
  subject: Type.String({ minLength: 1, maxLength: 64 }),
  /** The token's own `exp`: after it the token is refused anyway, so the entry can go. */
  expiresAt: Type.String({ format: 'date-time' }),
});
export type AuthTokenRevoked = Static<typeof AuthTokenRevokedSchema>;

/**
 * A sign-in (a refresh-token family, the `sid` claim of the access tokens minted from it)
 * ended: logout, or a replayed refresh token. Every access token of that session is revoked.
 */
export const AuthSessionRevokedSchema = Type.Object({
  sessionId: Type.String({ minLength: 1, maxLength: 64 }),
  subject: Type.String({ minLength: 1, maxLength: 64 }),
  revokedAt: Type.String({ format: 'date-time' }),
  reason: Type.Union([Type.Literal('logout'), Type.Literal('refresh_token_reuse')]),
});
export type AuthSessionRevoked = Static<typeof AuthSessionRevokedSchema>;

export const SubjectRevocationReasonSchema = Type.Union([
  Type.Literal('deactivated'),
  Type.Literal('password_reset'),
  Type.Literal('logout_all'),
]);

/** Every access token of `subject` issued at or before `revokedBefore` is revoked. */
export const AuthSubjectRevokedSchema = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 64 }),
  revokedBefore: Type.String({ format: 'date-time' }),
  reason: SubjectRevocationReasonSchema,
});
export type AuthSubjectRevoked = Static<typeof AuthSubjectRevokedSchema>;

/** The routing keys of the three revocations, for the queues that apply them. */
export const REVOCATION_EVENT_TYPES = [
  EventTypes.AuthTokenRevoked,
  EventTypes.AuthSessionRevoked,
  EventTypes.AuthSubjectRevoked,
] as const;

/** Payload schema per event type: the single place a new event is registered. */
export const EventPayloadSchemas = {
  [EventTypes.AccountCreated]: AccountCreatedSchema,
  [EventTypes.AccountPasswordResetRequested]: AccountPasswordResetRequestedSchema,
  [EventTypes.OrderCreated]: OrderCreatedSchema,
  [EventTypes.OrderStatusChanged]: OrderStatusChangedSchema,
  [EventTypes.ReviewCreated]: ReviewCreatedSchema,
  [EventTypes.ProductImageUploaded]: ProductImageUploadedSchema,
  [EventTypes.AuthTokenRevoked]: AuthTokenRevokedSchema,
  [EventTypes.AuthSessionRevoked]: AuthSessionRevokedSchema,
  [EventTypes.AuthSubjectRevoked]: AuthSubjectRevokedSchema,
} satisfies Record<EventType, TSchema>;

export type EventPayloads = { [K in EventType]: Static<(typeof EventPayloadSchemas)[K]> };

const knownTypes: ReadonlySet<string> = new Set(Object.values(EventTypes));

export function isKnownEventType(type: string): type is EventType {
  return knownTypes.has(type);
}
