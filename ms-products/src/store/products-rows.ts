import type { QueryResultRow } from '@marketshare/platform/pg';
import type { Attributes, Product, ProductStatus } from '../domain/products/product.js';

/**
 * The columns every product query selects, with created_at also as UTC text to the
 * microsecond: the keyset cursor needs the exact stored instant (a JS Date keeps milliseconds).
 */
export const PRODUCT_COLUMNS = `p.id, p.seller_id, p.name, p.description, p.category, p.price_minor, p.currency,
  p.stock, p.attributes, p.status, p.moderation_reason, p.moderated_by, p.moderated_at,
  p.rating_average, p.rating_count, p.created_at, p.updated_at, p.version,
  to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key`;

export interface ProductRow extends QueryResultRow {
  id: string;
  seller_id: string;
  name: string;
  description: string;
  category: string;
  price_minor: number;
  currency: string;
  stock: number;
  attributes: Attributes;
  status: ProductStatus;
  moderation_reason: string | null;
  moderated_by: string | null;
  moderated_at: Date | null;
  /** NUMERIC arrives as text. */
  rating_average: string | null;
  rating_count: number;
  created_at: Date;
  updated_at: Date;
  /** BIGINT, parsed to a number by the platform's pg setup. */
  version: number;
  created_key: string;
}

export function productFromRow(row: ProductRow): Product {
  return {
    id: row.id,
    sellerId: row.seller_id,
    name: row.name,
    description: row.description,
    category: row.category,
    priceMinor: row.price_minor,
    currency: row.currency,
    stock: row.stock,
    attributes: row.attributes,
    status: row.status,
    moderation:
      row.moderated_at !== null && row.moderation_reason !== null && row.moderated_by !== null
        ? { reason: row.moderation_reason, moderatedBy: row.moderated_by, moderatedAt: row.moderated_at }
        : null,
    rating: {
      average: row.rating_average === null ? null : Number(row.rating_average),
      count: row.rating_count,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** Collects positional parameters while a statement is assembled, so values never become SQL. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast === undefined ? `$${this.values.length}` : `$${this.values.length}::${cast}`;
  }
}
