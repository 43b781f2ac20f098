import type { Static } from '@marketshare/platform';
import type { Review } from '../../domain/reviews.js';
import { encodeCursor } from '../orders/presenters.js';
import type { ReviewPage, ReviewView } from './schemas.js';

/**
 * The public face of a review. The reviewer is left out on purpose: consumers have no public
 * profile, and their account id would only let anyone link one buyer's reviews (and so their
 * purchases) together. Every review is from a delivered purchase, so there is nothing to flag.
 */
export function presentReview(review: Review): Static<typeof ReviewView> {
  return {
    id: review.id,
    productId: review.productId,
    rating: review.rating,
    text: review.text,
    createdAt: review.createdAt.toISOString(),
  };
}

/** `fetched` holds up to limit + 1 reviews: one more than shown tells whether a next page exists. */
export function presentReviewPage(fetched: Review[], limit: number): Static<typeof ReviewPage> {
  const items = fetched.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(presentReview),
    nextCursor: fetched.length > limit && last ? encodeCursor(last) : null,
  };
}
