import { defineRoute, type Route } from '@marketshare/platform';
import type { ProductsDeps } from '../../deps.js';
import { ProductCatalogue } from '../../domain/products/catalogue.js';
import { ProductSearch } from '../../domain/products/search.js';
import { ProductImageDirectories } from '../../store/products-files.js';
import { PgProductRepository } from '../../store/products-repository.js';
import { PgProductSearch } from '../../store/products-search.js';
import { createCatalogueMetrics } from './metrics.js';
import { versionsOf } from './etag.js';
import { presentProduct, productAnswer } from './presenters.js';
import { problem, signedIn, viewerOf } from './products-route.js';
import { stockAdjustmentRoute } from './stock-routes.js';
import {
  CreateProductBody,
  ModerationBody,
  OwnProductsQuery,
  ProductIdParams,
  ProductPageView,
  ProductView,
  ProductWriteHeaders,
  SearchQuery,
  SearchResultView,
  UpdateProductBody,
} from './schemas.js';

const SELLERS = { roles: ['seller'] } as const;
const ADMINS = { roles: ['admin'] } as const;
const TAGS = ['products'];
/** Name, a 10,000-character description and 50 attributes fit with room to spare. */
const PRODUCT_BODY_LIMIT_BYTES = 128 * 1024;
const NOT_FOUND = problem('No such product, or not yours to see or change');
const WITH_ETAG = 'The ETag header names this version of the product (for If-Match)';

/** The catalogue (sellers' products, moderation) and search. */
export function productRoutes(deps: ProductsDeps): Route[] {
  const catalogue = new ProductCatalogue(
    new PgProductRepository(deps.pool),
    new ProductImageDirectories(deps.config.IMAGES_DIR),
    deps.logger,
  );
  const search = new ProductSearch(new PgProductSearch(deps.pool));
  const metrics = createCatalogueMetrics(deps.metrics.registry);

  // /api/products/mine is declared before /api/products/:id, which would otherwise take it.
  return [
    defineRoute({
      method: 'get',
      path: '/api/products',
      operationId: 'searchProducts',
      summary: 'Search published products: full text, filters, sort, keyset pages, category facets',
      tags: TAGS,
      auth: 'optional',
      query: SearchQuery,
      responses: {
        200: { description: 'One page of products', schema: SearchResultView },
        400: problem('Invalid filter, or a cursor made for another query (invalid_cursor)'),
      },
      handler: async ({ query }) => {
        const result = await search.search({ ...query, limit: query.limit ?? 20 });
        return {
          body: {
            items: result.items.map((product) => presentProduct(product, undefined)),
            nextCursor: result.nextCursor,
            facets: result.facets,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/products/mine',
      operationId: 'listOwnProducts',
      summary: "The seller's own products, unpublished and moderated ones included, newest first",
      tags: TAGS,
      auth: SELLERS,
      query: OwnProductsQuery,
      responses: {
        200: { description: 'One page of products', schema: ProductPageView },
        400: problem('Invalid query, or a cursor made for another query (invalid_cursor)'),
      },
      handler: async ({ principal, query }) => {
        const seller = signedIn(principal);
        const page = await catalogue.listOwn(seller.subject, {
          status: query.status,
          cursor: query.cursor,
          limit: query.limit ?? 20,
        });
        return {
          body: {
            items: page.items.map((product) => presentProduct(product, viewerOf(seller))),
            nextCursor: page.nextCursor,
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/products',
      operationId: 'createProduct',
      summary: 'Create a product (sellers)',
      tags: TAGS,
      auth: SELLERS,
      body: CreateProductBody,
      bodyLimitBytes: PRODUCT_BODY_LIMIT_BYTES,
      responses: {
        201: { description: `Created. ${WITH_ETAG}`, schema: ProductView },
        400: problem('Invalid input'),
        413: problem('Body too large'),
      },
      handler: async ({ principal, body, ctx }) => {
        const seller = signedIn(principal);
        const product = await catalogue.create(seller.subject, {
          ...body,
          description: body.description ?? '',
          attributes: body.attributes ?? {},
        });
        metrics.created.inc();
        ctx.state.log.info({ productId: product.id }, 'product created');
        const answer = productAnswer(product, viewerOf(seller), 201);
        return { ...answer, headers: { ...answer.headers, Location: `/api/products/${product.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/products/:id',
      operationId: 'getProduct',
      summary: 'A published product; unpublished ones only for their seller and admins',
      tags: TAGS,
      auth: 'optional',
      params: ProductIdParams,
      responses: {
        200: {
          description: `The product. ${WITH_ETAG}; its seller and admins get their own tag for the fuller view`,
          schema: ProductView,
        },
        404: NOT_FOUND,
      },
      handler: async ({ principal, params }) => {
        const viewer = viewerOf(principal);
        return productAnswer(await catalogue.get(params.id, viewer), viewer);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/products/:id',
      operationId: 'updateProduct',
      summary:
        'Change your product (only the fields sent). If-Match (optional, also with stock) makes it ' +
        'conditional: 412 when stale. Without it stock is set absolutely; use stock-adjustments to keep concurrent reservations',
      tags: TAGS,
      auth: SELLERS,
      params: ProductIdParams,
      headers: ProductWriteHeaders,
      body: UpdateProductBody,
      bodyLimitBytes: PRODUCT_BODY_LIMIT_BYTES,
      responses: {
        200: { description: `The updated product. ${WITH_ETAG}`, schema: ProductView },
        400: problem('Invalid input (headers.if-match: not a list of entity tags)'),
        404: NOT_FOUND,
        412: problem('precondition_failed: the product is no longer at the version If-Match names'),
        413: problem('Body too large'),
      },
      handler: async ({ principal, params, headers, body }) => {
        const seller = signedIn(principal);
        const versions = versionsOf(headers['if-match']);
        return productAnswer(
          await catalogue.update(params.id, seller.subject, body, versions),
          viewerOf(seller),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/products/:id/publish',
      operationId: 'publishProduct',
      summary: 'Publish your product (not while an admin has it moderated)',
      tags: TAGS,
      auth: SELLERS,
      params: ProductIdParams,
      responses: {
        200: { description: `The published product. ${WITH_ETAG}`, schema: ProductView },
        404: NOT_FOUND,
        409: problem('product_moderated: an admin unpublished it'),
      },
      handler: async ({ principal, params }) => {
        const seller = signedIn(principal);
        return productAnswer(await catalogue.publish(params.id, seller.subject), viewerOf(seller));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/products/:id/unpublish',
      operationId: 'unpublishProduct',
      summary: 'Unpublish your product (it disappears from search and from other people)',
      tags: TAGS,
      auth: SELLERS,
      params: ProductIdParams,
      responses: {
        200: { description: `The unpublished product. ${WITH_ETAG}`, schema: ProductView },
        404: NOT_FOUND,
      },
      handler: async ({ principal, params }) => {
        const seller = signedIn(principal);
        return productAnswer(await catalogue.unpublish(params.id, seller.subject), viewerOf(seller));
      },
    }),
    stockAdjustmentRoute(catalogue),
    defineRoute({
      method: 'post',
      path: '/api/products/:id/moderation',
      operationId: 'moderateProduct',
      summary:
        'Unpublish any product with a reason (admins); the seller cannot publish it again until lifted',
      tags: ['admin'],
      auth: ADMINS,
      params: ProductIdParams,
      body: ModerationBody,
      responses: {
        200: { description: 'The moderated product', schema: ProductView },
        400: problem('Invalid input'),
        404: problem('No such product'),
      },
      handler: async ({ principal, params, body }) => {
        const admin = signedIn(principal);
        const product = await catalogue.moderate(params.id, admin.subject, body.reason);
        return { body: presentProduct(product, viewerOf(admin)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/products/:id/moderation',
      operationId: 'liftProductModeration',
      summary: 'Lift a moderation (admins); the product stays unpublished until its seller publishes it',
      tags: ['admin'],
      auth: ADMINS,
      params: ProductIdParams,
      responses: {
        200: { description: 'The product', schema: ProductView },
        404: problem('No such product'),
      },
      handler: async ({ principal, params }) => ({
        body: presentProduct(await catalogue.liftModeration(params.id), viewerOf(signedIn(principal))),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/products/:id',
      operationId: 'deleteProduct',
      summary: 'Delete your product, with its images',
      tags: TAGS,
      auth: SELLERS,
      params: ProductIdParams,
      responses: {
        204: { description: 'Deleted' },
        404: NOT_FOUND,
        409: problem('product_in_use: other records still refer to it'),
      },
      handler: async ({ principal, params }) => {
        await catalogue.remove(params.id, signedIn(principal).subject);
        metrics.deleted.inc();
        return { status: 204 };
      },
    }),
  ];
}
