import { Type } from '@marketshare/platform';
import { MAX_RATING, MIN_RATING, REVIEW_TEXT_MAX_LENGTH } from '../../domain/reviews.js';
import { Instant, ProductId } from '../shared/schemas.js';

/** Multi-line text: no control characters but tab and newlines. */
const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

export const Rating = Type.Integer({
  minimum: MIN_RATING,
  maximum: MAX_RATING,
  description: '1 (worst) to 5 (best)',
});

export const CreateReviewBody = Type.Object(
  {
    productId: ProductId,
    rating: Rating,
    text: Type.Optional(
      Type.String({
        maxLength: REVIEW_TEXT_MAX_LENGTH,
        pattern: TEXT,
        description: 'May be empty or left out (a rating alone); outer whitespace is trimmed',
      }),
    ),
  },
  { additionalProperties: false },
);

const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
const Cursor = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'nextCursor of the previous page',
});

export const ListReviewsQuery = Type.Object(
  { productId: ProductId, limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const MyReviewsQuery = Type.Object(
  { productId: Type.Optional(ProductId), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** What anyone may see of a review: no reviewer, seller or order (see presenters.ts). */
export const ReviewView = Type.Object({
  id: Type.String(),
  productId: ProductId,
  rating: Rating,
  text: Type.String(),
  createdAt: Instant,
});

export const ReviewPage = Type.Object({
  items: Type.Array(ReviewView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
