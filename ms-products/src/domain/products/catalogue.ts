import { randomUUID } from 'node:crypto';
import { canonicalBinding, decodeCursor, encodeCursor } from './cursor.js';
import { ProductError, productNotFound } from './errors.js';
import type { ProductFiles, ProductRepository } from './ports.js';
import {
  canSee,
  isAdmin,
  isOwner,
  tidyLine,
  type Product,
  type ProductChanges,
  type ProductFields,
  type ProductStatus,
  type Viewer,
} from './product.js';

export interface NewProduct extends ProductFields {
  /** Published unless the seller asks for a draft. */
  status?: ProductStatus | undefined;
}

export interface SellerPage {
  items: Product[];
  nextCursor: string | null;
}

export interface CatalogueLogger {
  error(details: object, message: string): void;
}

function found(product: Product | undefined): Product {
  if (!product) throw productNotFound();
  return product;
}

function tidy<T extends ProductChanges>(fields: T): T {
  return {
    ...fields,
    ...(fields.name === undefined ? {} : { name: tidyLine(fields.name) }),
    ...(fields.category === undefined ? {} : { category: tidyLine(fields.category) }),
  };
}

/**
 * The sellers' catalogue: create, edit, publish, unpublish and delete their own products;
 * admins moderate. A product that is not yours (or that you may not see) does not exist.
 */
export class ProductCatalogue {
  constructor(
    private readonly products: ProductRepository,
    private readonly files: ProductFiles,
    private readonly logger: CatalogueLogger,
  ) {}

  create(sellerId: string, input: NewProduct): Promise<Product> {
    const { status, ...fields } = input;
    return this.products.insert({
      ...tidy(fields),
      id: randomUUID(),
      sellerId,
      status: status ?? 'published',
    });
  }

  async get(id: string, viewer: Viewer | undefined): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product || !canSee(product, viewer)) throw productNotFound();
    return product;
  }

  async update(id: string, sellerId: string, changes: ProductChanges): Promise<Product> {
    return found(await this.products.updateOwned(id, sellerId, tidy(changes)));
  }

  async publish(id: string, sellerId: string): Promise<Product> {
    const published = await this.products.setStatusOwned(id, sellerId, 'published');
    if (published) return published;
    const existing = await this.products.findById(id);
    if (existing && isOwner(existing, { subject: sellerId, role: 'seller' }) && existing.moderation) {
      throw new ProductError(
        'conflict',
        'product_moderated',
        'An admin unpublished this product; it stays unpublished until the moderation is lifted.',
      );
    }
    throw productNotFound();
  }

  async unpublish(id: string, sellerId: string): Promise<Product> {
    return found(await this.products.setStatusOwned(id, sellerId, 'unpublished'));
  }

  async moderate(id: string, adminId: string, reason: string): Promise<Product> {
    return found(await this.products.moderate(id, { reason: reason.trim(), moderatedBy: adminId }));
  }

  async liftModeration(id: string): Promise<Product> {
    return found(await this.products.liftModeration(id));
  }

  /** Deletes the row (its image rows go with it), then the image files. */
  async remove(id: string, sellerId: string): Promise<void> {
    if (!(await this.products.deleteOwned(id, sellerId))) throw productNotFound();
    try {
      await this.files.removeAll(id);
    } catch (error) {
      // The product is gone either way; leftover files are an operator's clean-up, not the seller's error.
      this.logger.error({ err: error, productId: id }, 'could not remove the files of a deleted product');
    }
  }

  /** A seller's own products, drafts and moderated ones included, newest first. */
  async listOwn(
    sellerId: string,
    options: { status?: ProductStatus | undefined; cursor?: string | undefined; limit: number },
  ): Promise<SellerPage> {
    const binding = canonicalBinding({ list: 'mine', sellerId, status: options.status });
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, binding, 'newest');
    const rows = await this.products.listBySeller(sellerId, {
      status: options.status,
      after,
      limit: options.limit + 1,
    });
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => row.product),
      nextCursor: rows.length > options.limit && last ? encodeCursor(binding, last.key) : null,
    };
  }
}

/** Whether the viewer sees the moderation details (the seller who owns it, admins). */
export function seesModeration(product: Product, viewer: Viewer | undefined): boolean {
  return isOwner(product, viewer) || isAdmin(viewer);
}
