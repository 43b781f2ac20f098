import { randomUUID } from 'node:crypto';
import { canonicalBinding, decodeCursor, encodeCursor } from './cursor.js';
import { ProductError, productNotFound, productVersionStale, stockAdjustmentOutOfRange } from './errors.js';
import type { ProductFiles, ProductRepository } from './ports.js';
import {
  PRODUCT_LIMITS,
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

  /**
   * Changes the fields given. With `versions` (from If-Match) the write happens only while the
   * product is at one of them; otherwise it fails with precondition_failed and changes nothing.
   */
  async update(
    id: string,
    sellerId: string,
    changes: ProductChanges,
    versions?: readonly number[],
  ): Promise<Product> {
    const updated = await this.products.updateOwned(id, sellerId, tidy(changes), versions);
    if (updated) return updated;
    if (versions !== undefined && (await this.findOwned(id, sellerId))) throw productVersionStale();
    throw productNotFound();
  }

  /**
   * Adds `delta` (negative to take away) to the stock atomically: units reserved meanwhile
   * stay reserved. Refused with a conflict, changing nothing, when the stock would leave 0..max.
   */
  async adjustStock(id: string, sellerId: string, delta: number): Promise<Product> {
    const max = PRODUCT_LIMITS.stockMax;
    const adjusted = await this.products.adjustStockOwned(id, sellerId, delta, max);
    if (adjusted) return adjusted;
    const existing = await this.findOwned(id, sellerId);
    if (!existing) throw productNotFound();
    // The stock read here may have moved again since the refusal; the message is a hint.
    throw stockAdjustmentOutOfRange(existing.stock, delta, max);
  }

  private async findOwned(id: string, sellerId: string): Promise<Product | undefined> {
    const product = await this.products.findById(id);
    return product && isOwner(product, { subject: sellerId, role: 'seller' }) ? product : undefined;
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
