import { defineRoute, type Route } from '@marketshare/platform';
import type { ProductsDeps } from '../../deps.js';
import { Ratings } from '../../domain/ratings/ratings.js';
import { ratingMetrics } from '../../events/ratings-metrics.js';
import { PgRatingStore } from '../../store/ratings-store.js';
import { presentSellerRating } from './presenters.js';
import { SellerRatingParams, SellerRatingView } from './schemas.js';

/** Ratings move only when a review arrives, so a short shared cache is harmless. */
const CACHE_CONTROL = 'public, max-age=60';

/** Seller rating aggregates (products carry their own rating in the catalogue's views). */
export function ratingRoutes(deps: ProductsDeps): Route[] {
  const ratings = new Ratings(
    new PgRatingStore(deps.pool),
    ratingMetrics(deps.metrics.registry),
    deps.logger,
  );
  return [
    defineRoute({
      method: 'get',
      path: '/api/products/sellers/:sellerId/rating',
      operationId: 'getSellerRating',
      summary: "A seller's average rating over every review of their products",
      tags: ['ratings'],
      auth: 'public',
      params: SellerRatingParams,
      responses: {
        200: {
          description: 'The aggregate (count 0 and average null for a seller without reviews)',
          schema: SellerRatingView,
        },
        400: { description: 'Invalid seller id', contentType: 'application/problem+json' },
      },
      handler: async ({ params }) => ({
        body: presentSellerRating(params.sellerId, await ratings.sellerRating(params.sellerId)),
        headers: { 'Cache-Control': CACHE_CONTROL },
      }),
    }),
  ];
}
