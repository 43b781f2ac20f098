import { Type } from '@marketshare/platform';

/** Seller ids are ms-users account ids; the pattern only bounds what reaches the database. */
export const SellerRatingParams = Type.Object(
  { sellerId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

export const SellerRatingView = Type.Object({
  sellerId: Type.String(),
  average: Type.Union([Type.Number({ minimum: 1, maximum: 5 }), Type.Null()], {
    description: 'mean of every review of the seller, two decimals; null before the first',
  }),
  count: Type.Integer({ minimum: 0 }),
});
