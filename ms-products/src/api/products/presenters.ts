import type { RouteResult, Static } from '@marketshare/platform';
import { seesModeration } from '../../domain/products/catalogue.js';
import { isAdmin, type Product, type Viewer } from '../../domain/products/product.js';
import { etagOf } from './etag.js';
import type { ProductView } from './schemas.js';

/** What anyone allowed to see the product sees; its seller and admins also see the moderation. */
export function presentProduct(product: Product, viewer: Viewer | undefined): Static<typeof ProductView> {
  const view: Static<typeof ProductView> = {
    id: product.id,
    sellerId: product.sellerId,
    name: product.name,
    description: product.description,
    category: product.category,
    priceMinor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    inStock: product.stock > 0,
    attributes: product.attributes,
    status: product.status,
    rating: { average: product.rating.average, count: product.rating.count },
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
  if (seesModeration(product, viewer)) {
    const moderation = product.moderation;
    view.moderation =
      moderation === null
        ? null
        : {
            reason: moderation.reason,
            moderatedAt: moderation.moderatedAt.toISOString(),
            ...(isAdmin(viewer) ? { moderatedBy: moderation.moderatedBy } : {}),
          };
  }
  return view;
}

/** One product as the answer to a read or a write: its view, with the ETag of that view. */
export function productAnswer(product: Product, viewer: Viewer | undefined, status = 200): RouteResult {
  return {
    status,
    headers: { ETag: etagOf(product, viewer) },
    body: presentProduct(product, viewer),
  };
}
