import { Type } from '@marketshare/platform';
import { OrderStatusSchema } from '@marketshare/platform/contracts';
import { Instant, MinorUnits, ProductId, Quantity } from '../shared/schemas.js';

/** As checkout makes them (UUIDs); also the reservation id in ms-products. */
export const OrderId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Order id' });
export const OrderParams = Type.Object({ id: OrderId }, { additionalProperties: false });

export const MAX_CHECKOUT_ITEMS = 100;

export const CheckoutBody = Type.Object(
  {
    items: Type.Optional(
      Type.Array(Type.Object({ productId: ProductId, quantity: Quantity }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: MAX_CHECKOUT_ITEMS,
        description: 'Each product at most once. Without items, the cart is checked out.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** 1–255 visible ASCII characters; clients usually send a UUID. */
export const CheckoutHeaders = Type.Object(
  {
    'idempotency-key': Type.String({
      pattern: '^[\\x21-\\x7e]{1,255}$',
      description:
        'Idempotency-Key: 1-255 visible ASCII characters (a UUID will do). A retry with the same key and body gets the first answer; the same key with another body, 422.',
    }),
  },
  // Every other header is the transport's business, not this route's.
  { additionalProperties: true },
);

export const ChangeStatusBody = Type.Object(
  {
    status: Type.Union([Type.Literal('IN_DELIVERY'), Type.Literal('DELIVERED'), Type.Literal('CANCELLED')], {
      description: 'Sellers: IN_DELIVERY, DELIVERED. Consumers: CANCELLED (from RECEIVED).',
    }),
  },
  { additionalProperties: false },
);

export const ListOrdersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    status: Type.Optional(OrderStatusSchema),
  },
  { additionalProperties: false },
);

export const OrderView = Type.Object({
  id: OrderId,
  consumerId: Type.String(),
  sellerId: Type.String(),
  status: OrderStatusSchema,
  currency: Type.String(),
  items: Type.Array(
    Type.Object({
      productId: ProductId,
      name: Type.String(),
      quantity: Quantity,
      unitPriceMinor: MinorUnits,
      lineTotalMinor: MinorUnits,
    }),
  ),
  totalMinor: MinorUnits,
  platformFeeMinor: Type.Integer({
    description: '2 % of the total, at most 500 minor units; 0 unless accepted',
  }),
  statusHistory: Type.Array(Type.Object({ status: OrderStatusSchema, at: Instant, by: Type.String() })),
  createdAt: Instant,
  updatedAt: Instant,
});

export const CheckoutView = Type.Object({ orders: Type.Array(OrderView) });

export const OrderPage = Type.Object({
  items: Type.Array(OrderView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
