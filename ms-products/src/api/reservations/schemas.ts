import { Type } from '@marketshare/platform';

/** An order id as ms-orders makes them; also the idempotency key of a reservation. */
export const OrderId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_-]+$',
  description: '1–64 of A–Z, a–z, 0–9, _ and -',
});

export const MAX_ITEMS_PER_ORDER = 100;

export const ReserveStockBody = Type.Object(
  {
    orderId: OrderId,
    items: Type.Array(
      Type.Object(
        {
          productId: Type.String({ format: 'uuid' }),
          quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_ITEMS_PER_ORDER, description: 'each product at most once' },
    ),
  },
  { additionalProperties: false },
);

export const OrderIdParams = Type.Object({ orderId: OrderId }, { additionalProperties: false });

const ReservedItemView = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  sellerId: Type.String(),
  quantity: Type.Integer(),
  unitPriceMinor: Type.Integer({ description: 'the unit price the stock was reserved at, in minor units' }),
  currency: Type.String(),
});

export const ReservationView = Type.Object({
  orderId: OrderId,
  status: Type.Union([
    Type.Literal('reserved'),
    Type.Literal('rejected'),
    Type.Literal('released'),
    Type.Literal('confirmed'),
  ]),
  items: Type.Array(ReservedItemView),
});

/** The members a 409 stock_unavailable problem carries beside the usual ones (status stays 409). */
export const StockUnavailableExtensions = Type.Object({
  orderId: OrderId,
  reservationStatus: Type.Literal('rejected'),
  reason: Type.Union([Type.Literal('insufficient_stock'), Type.Literal('product_unavailable')]),
  shortages: Type.Array(
    Type.Object({
      productId: Type.String({ format: 'uuid' }),
      requested: Type.Integer(),
      available: Type.Integer({ description: '0 when the product does not exist or is not published' }),
    }),
  ),
});
