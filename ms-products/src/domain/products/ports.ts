import type { SortKey } from './cursor.js';
import type { Moderation, Product, ProductChanges, ProductFields, ProductStatus } from './product.js';

/**
 * What the catalogue needs from storage. Every write that names a seller only touches that
 * seller's rows: another seller's product behaves exactly like a missing one.
 */
export interface ProductRepository {
  insert(product: ProductFields & { id: string; sellerId: string; status: ProductStatus }): Promise<Product>;
  findById(id: string): Promise<Product | undefined>;
  /**
   * undefined when there is no such product of this seller, or when `versions` is given and the
   * product's version is none of them (in one statement: a concurrent write cannot slip between).
   */
  updateOwned(
    id: string,
    sellerId: string,
    changes: ProductChanges,
    versions?: readonly number[],
  ): Promise<Product | undefined>;
  /**
   * Adds `delta` to the stock in one statement, only when the result stays within 0..max;
   * undefined when there is no such product of this seller or the result would leave the range.
   */
  adjustStockOwned(id: string, sellerId: string, delta: number, max: number): Promise<Product | undefined>;
  /** Publishing never touches a moderated product (undefined then, as for a missing one). */
  setStatusOwned(id: string, sellerId: string, status: ProductStatus): Promise<Product | undefined>;
  /** Unpublishes any product and records why; undefined when it does not exist. */
  moderate(id: string, moderation: Omit<Moderation, 'moderatedAt'>): Promise<Product | undefined>;
  /** Clears the moderation and leaves the product unpublished; undefined when it does not exist. */
  liftModeration(id: string): Promise<Product | undefined>;
  /** Throws ProductError `product_in_use` when other records must keep the product. */
  deleteOwned(id: string, sellerId: string): Promise<boolean>;
  /** A seller's products newest first, after `after` when given. */
  listBySeller(
    sellerId: string,
    options: { status: ProductStatus | undefined; after: SortKey | undefined; limit: number },
  ): Promise<KeyedProduct[]>;
}

export interface KeyedProduct {
  product: Product;
  /** Where this row sits in the order it was read in, for the next page's cursor. */
  key: SortKey;
}

/** The files of a product's images (owned by the images module; removed with the product). */
export interface ProductFiles {
  removeAll(productId: string): Promise<void>;
}
