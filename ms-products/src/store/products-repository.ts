import type { PgPool } from '@marketshare/platform/pg';
import { ProductError } from '../domain/products/errors.js';
import type { KeyedProduct, ProductRepository } from '../domain/products/ports.js';
import type {
  Moderation,
  Product,
  ProductChanges,
  ProductFields,
  ProductStatus,
} from '../domain/products/product.js';
import { PRODUCT_COLUMNS, SqlParameters, productFromRow, type ProductRow } from './products-rows.js';

const COLUMN_OF_FIELD: Record<keyof ProductFields, { column: string; cast?: string }> = {
  name: { column: 'name' },
  description: { column: 'description' },
  category: { column: 'category' },
  priceMinor: { column: 'price_minor' },
  currency: { column: 'currency' },
  stock: { column: 'stock' },
  attributes: { column: 'attributes', cast: 'jsonb' },
};

const FOREIGN_KEY_VIOLATION = '23503';

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && Reflect.get(error, 'code') === FOREIGN_KEY_VIOLATION;
}

/** JSONB parameters go as JSON text: pg would turn a JS array into a PostgreSQL array literal. */
function columnValue(field: keyof ProductFields, value: ProductFields[keyof ProductFields]): unknown {
  return field === 'attributes' ? JSON.stringify(value) : value;
}

export class PgProductRepository implements ProductRepository {
  constructor(private readonly pool: PgPool) {}

  private async one(sql: string, values: unknown[]): Promise<Product | undefined> {
    const { rows } = await this.pool.query<ProductRow>(sql, values);
    return rows[0] ? productFromRow(rows[0]) : undefined;
  }

  async insert(product: ProductFields & { id: string; sellerId: string; status: ProductStatus }) {
    const inserted = await this.one(
      `INSERT INTO products AS p (id, seller_id, name, description, category, price_minor, currency, stock,
         attributes, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
       RETURNING ${PRODUCT_COLUMNS}`,
      [
        product.id,
        product.sellerId,
        product.name,
        product.description,
        product.category,
        product.priceMinor,
        product.currency,
        product.stock,
        JSON.stringify(product.attributes),
        product.status,
      ],
    );
    if (!inserted) throw new Error('INSERT … RETURNING returned no row');
    return inserted;
  }

  findById(id: string) {
    return this.one(`SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1`, [id]);
  }

  updateOwned(id: string, sellerId: string, changes: ProductChanges, versions?: readonly number[]) {
    const params = new SqlParameters();
    let where = `p.id = ${params.add(id)} AND p.seller_id = ${params.add(sellerId)}`;
    // The version check is part of the UPDATE: the row lock makes check and write one step.
    if (versions !== undefined) where += ` AND p.version = ANY(${params.add(versions, 'bigint[]')})`;
    const assignments = ['updated_at = now()'];
    // Object.entries widens the keys of this const record to string; they are exactly its fields.
    for (const [field, mapping] of Object.entries(COLUMN_OF_FIELD) as [
      keyof ProductFields,
      (typeof COLUMN_OF_FIELD)[keyof ProductFields],
    ][]) {
      // Object.entries loses the key type of a Record; the keys are exactly ProductFields'.
      const value = changes[field];
      if (value === undefined) continue;
      assignments.push(`${mapping.column} = ${params.add(columnValue(field, value), mapping.cast)}`);
    }
    return this.one(
      `UPDATE products AS p SET ${assignments.join(', ')} WHERE ${where} RETURNING ${PRODUCT_COLUMNS}`,
      params.values,
    );
  }

  adjustStockOwned(id: string, sellerId: string, delta: number, max: number) {
    // Relative, so units reserved meanwhile are never overwritten; the row lock orders it
    // with concurrent reservations, and the range check sees the stock as it is at that moment.
    return this.one(
      `UPDATE products AS p SET stock = p.stock + $3, updated_at = CASE WHEN $3 = 0 THEN p.updated_at ELSE now() END
       WHERE p.id = $1 AND p.seller_id = $2 AND p.stock + $3 BETWEEN 0 AND $4
       RETURNING ${PRODUCT_COLUMNS}`,
      [id, sellerId, delta, max],
    );
  }

  setStatusOwned(id: string, sellerId: string, status: ProductStatus) {
    // Setting the status it already has changes nothing, updated_at included.
    return this.one(
      `UPDATE products AS p
       SET status = $3, updated_at = CASE WHEN p.status = $3 THEN p.updated_at ELSE now() END
       WHERE p.id = $1 AND p.seller_id = $2 AND ($3 = 'unpublished' OR p.moderated_at IS NULL)
       RETURNING ${PRODUCT_COLUMNS}`,
      [id, sellerId, status],
    );
  }

  moderate(id: string, moderation: Omit<Moderation, 'moderatedAt'>) {
    return this.one(
      `UPDATE products AS p
       SET status = 'unpublished', moderation_reason = $2, moderated_by = $3, moderated_at = now(),
           updated_at = now()
       WHERE p.id = $1
       RETURNING ${PRODUCT_COLUMNS}`,
      [id, moderation.reason, moderation.moderatedBy],
    );
  }

  liftModeration(id: string) {
    return this.one(
      `UPDATE products AS p
       SET moderation_reason = NULL, moderated_by = NULL, moderated_at = NULL,
           updated_at = CASE WHEN p.moderated_at IS NULL THEN p.updated_at ELSE now() END
       WHERE p.id = $1
       RETURNING ${PRODUCT_COLUMNS}`,
      [id],
    );
  }

  async deleteOwned(id: string, sellerId: string): Promise<boolean> {
    try {
      const result = await this.pool.query('DELETE FROM products WHERE id = $1 AND seller_id = $2', [
        id,
        sellerId,
      ]);
      return result.rowCount === 1;
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new ProductError('conflict', 'product_in_use', 'Other records still refer to this product.');
      }
      throw error;
    }
  }

  async listBySeller(
    sellerId: string,
    options: { status: ProductStatus | undefined; after: KeyedProduct['key'] | undefined; limit: number },
  ): Promise<KeyedProduct[]> {
    const params = new SqlParameters();
    const where = [`p.seller_id = ${params.add(sellerId)}`];
    if (options.status !== undefined) where.push(`p.status = ${params.add(options.status)}`);
    if (options.after?.sort === 'newest') {
      where.push(
        `(p.created_at, p.id) < (${params.add(options.after.createdAt, 'timestamptz')}, ${params.add(options.after.id, 'uuid')})`,
      );
    }
    const { rows } = await this.pool.query<ProductRow>(
      `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE ${where.join(' AND ')}
       ORDER BY p.created_at DESC, p.id DESC LIMIT ${params.add(options.limit)}`,
      params.values,
    );
    return rows.map((row) => ({
      product: productFromRow(row),
      key: { sort: 'newest', createdAt: row.created_key, id: row.id },
    }));
  }
}
