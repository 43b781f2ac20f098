import { randomUUID } from 'node:crypto';
import { defineRoute, type Route } from '@marketshare/platform';
import type { OrdersDeps } from '../../deps.js';
import { Reviews } from '../../domain/reviews.js';
import { MongoReviewStore } from '../../store/reviews-store.js';
import { decodeCursor } from '../orders/presenters.js';
import { COMMON_PROBLEMS, consumerOf, problem } from '../shared/problems.js';
import { presentReview, presentReviewPage } from './presenters.js';
import { CreateReviewBody, ListReviewsQuery, MyReviewsQuery, ReviewPage, ReviewView } from './schemas.js';

const TAGS = ['reviews'];
const DEFAULT_LIMIT = 20;

/** Reviews of received products: written by consumers, read by anyone. */
export function reviewRoutes(deps: OrdersDeps): Route[] {
  const reviews = new Reviews(new MongoReviewStore(deps.models, deps.onEventsWritten), randomUUID);
  const pageOptions = (query: { limit?: number; cursor?: string }) => {
    const limit = query.limit ?? DEFAULT_LIMIT;
    // One more than shown, to know whether a next page exists.
    return {
      limit,
      fetch: { limit: limit + 1, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) },
    };
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/reviews',
      operationId: 'createReview',
      summary: 'Review a product from one of your delivered orders (once per product)',
      tags: TAGS,
      auth: { roles: ['consumer'] },
      body: CreateReviewBody,
      bodyLimitBytes: 16 * 1024,
      responses: {
        201: {
          description: 'The review; review.created goes to ms-products for its rating',
          schema: ReviewView,
        },
        ...COMMON_PROBLEMS,
        403: problem(
          'review_not_allowed: no delivered order of yours contains the product (or not a consumer)',
        ),
        409: problem('review_exists: you have reviewed this product already'),
      },
      handler: async ({ principal, body }) => {
        const review = await reviews.create(consumerOf(principal), {
          productId: body.productId,
          rating: body.rating,
          text: body.text ?? '',
        });
        return { status: 201, body: presentReview(review) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reviews',
      operationId: 'listProductReviews',
      summary: "A product's reviews, newest first (anyone may read them)",
      tags: TAGS,
      auth: 'optional',
      query: ListReviewsQuery,
      responses: {
        200: { description: 'A page', schema: ReviewPage },
        400: COMMON_PROBLEMS[400],
        401: problem('An invalid access token (none is needed)'),
      },
      handler: async ({ query }) => {
        const { limit, fetch } = pageOptions(query);
        return { body: presentReviewPage(await reviews.listForProduct(query.productId, fetch), limit) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reviews/mine',
      operationId: 'listOwnReviews',
      summary: "The consumer's own reviews, newest first (productId: has this one been reviewed?)",
      tags: TAGS,
      auth: { roles: ['consumer'] },
      query: MyReviewsQuery,
      responses: { 200: { description: 'A page', schema: ReviewPage }, ...COMMON_PROBLEMS },
      handler: async ({ principal, query }) => {
        const { limit, fetch } = pageOptions(query);
        const page = await reviews.listForConsumer(consumerOf(principal), {
          ...fetch,
          ...(query.productId ? { productId: query.productId } : {}),
        });
        return { body: presentReviewPage(page, limit) };
      },
    }),
  ];
}
