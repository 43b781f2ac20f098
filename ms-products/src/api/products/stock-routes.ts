import { defineRoute, type Route } from '@marketshare/platform';
import type { ProductCatalogue } from '../../domain/products/catalogue.js';
import { productAnswer } from './presenters.js';
import { problem, signedIn, viewerOf } from './products-route.js';
import { ProductIdParams, ProductView, StockAdjustmentBody } from './schemas.js';

/**
 * Relative stock changes: the way to change stock that can never lose a unit reserved by a
 * concurrent checkout (an absolute `stock` in PATCH without If-Match overwrites them).
 */
export function stockAdjustmentRoute(catalogue: ProductCatalogue): Route {
  return defineRoute({
    method: 'post',
    path: '/api/products/:id/stock-adjustments',
    operationId: 'adjustProductStock',
    summary:
      'Add units to (or take them from) your product stock atomically; reservations made meanwhile are kept',
    tags: ['products'],
    auth: { roles: ['seller'] },
    params: ProductIdParams,
    body: StockAdjustmentBody,
    responses: {
      200: {
        description: 'The product with its new stock; the ETag header names its new version',
        schema: ProductView,
      },
      400: problem('Invalid input (delta: an integer within ±1,000,000,000)'),
      404: problem('No such product, or not yours to change'),
      409: problem(
        'delta_exceeds_stock (the stock would go below 0) or delta_exceeds_stock_limit (above the maximum); nothing changed',
      ),
    },
    handler: async ({ principal, params, body }) => {
      const seller = signedIn(principal);
      return productAnswer(
        await catalogue.adjustStock(params.id, seller.subject, body.delta),
        viewerOf(seller),
      );
    },
  });
}
