import { Type } from '@marketshare/platform';
import { MinorUnits, ProductId, Quantity } from '../shared/schemas.js';

export const CartItemParams = Type.Object({ productId: ProductId }, { additionalProperties: false });

export const SetQuantityBody = Type.Object({ quantity: Quantity }, { additionalProperties: false });

const Warning = Type.Object({
  code: Type.Union([
    Type.Literal('price_changed'),
    Type.Literal('unavailable'),
    Type.Literal('insufficient_stock'),
  ]),
  previousUnitPriceMinor: Type.Optional(MinorUnits),
  previousCurrency: Type.Optional(Type.String()),
  available: Type.Optional(Type.Integer({ description: 'units in stock now' })),
});

export const CartView = Type.Object({
  items: Type.Array(
    Type.Object({
      productId: ProductId,
      quantity: Quantity,
      name: Type.Union([Type.String(), Type.Null()]),
      sellerId: Type.Union([Type.String(), Type.Null()]),
      unitPriceMinor: Type.Union([MinorUnits, Type.Null()], {
        description: 'the current price; null if unavailable',
      }),
      currency: Type.Union([Type.String(), Type.Null()]),
      lineTotalMinor: Type.Union([MinorUnits, Type.Null()]),
      inStock: Type.Union([Type.Integer(), Type.Null()], { description: 'units in stock now' }),
      warnings: Type.Array(Warning),
    }),
  ),
  totals: Type.Array(Type.Object({ currency: Type.String(), totalMinor: MinorUnits })),
  warningCount: Type.Integer(),
});
