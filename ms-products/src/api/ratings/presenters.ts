import type { Static } from '@marketshare/platform';
import type { RatingAggregate } from '../../domain/ratings/ports.js';
import type { SellerRatingView } from './schemas.js';

export function presentSellerRating(
  sellerId: string,
  rating: RatingAggregate,
): Static<typeof SellerRatingView> {
  return { sellerId, average: rating.average, count: rating.count };
}
