import type { PgPool } from '@marketshare/platform/pg';
import { sortKeyValues, type SearchSort, type SortKey } from '../domain/products/cursor.js';
import type { KeyedProduct } from '../domain/products/ports.js';
import type { CategoryFacet, ProductSearchStore, SearchCriteria } from '../domain/products/search.js';
import { PRODUCT_COLUMNS, SqlParameters, productFromRow, type ProductRow } from './products-rows.js';

/**
 * Search over published products. Every value the client sent travels as a bound parameter;
 * the SQL text is assembled only from the fixed fragments below. The ORDER BY of each sort
 * matches one of the partial indexes of migration 002 and ends with id, so keyset pages are
 * stable while rows are added: the next page starts strictly after the last row shown.
 */

interface SortColumn {
  /** The SQL expression ordered by. */
  expression: string;
  /** The type the cursor's value is cast to, so the comparison uses the column's own type. */
  cast: string;
}

interface SortPlan {
  columns: SortColumn[];
  descending: boolean;
}

const ID: SortColumn = { expression: 'p.id', cast: 'uuid' };
const PRICE: SortColumn = { expression: 'p.price_minor', cast: 'bigint' };

const rankOf = (tsquery: string) => `ts_rank_cd(p.search_vector, ${tsquery})::float8`;

function sortPlan(sort: SearchSort, tsquery: string | undefined): SortPlan {
  switch (sort) {
    case 'newest':
      return { columns: [{ expression: 'p.created_at', cast: 'timestamptz' }, ID], descending: true };
    case 'price_asc':
      return { columns: [PRICE, ID], descending: false };
    case 'price_desc':
      return { columns: [PRICE, ID], descending: true };
    case 'rating':
      return {
        columns: [
          { expression: 'COALESCE(p.rating_average, 0)', cast: 'numeric' },
          { expression: 'p.rating_count', cast: 'integer' },
          ID,
        ],
        descending: true,
      };
    case 'relevance':
      if (tsquery === undefined) throw new Error('relevance needs a text query');
      return { columns: [{ expression: rankOf(tsquery), cast: 'float8' }, ID], descending: true };
  }
}

interface SearchRow extends ProductRow {
  rank: number | null;
  /** NUMERIC arrives as text. */
  rating_key: string;
}

function keyOf(sort: SearchSort, row: SearchRow): SortKey {
  switch (sort) {
    case 'newest':
      return { sort, createdAt: row.created_key, id: row.id };
    case 'price_asc':
    case 'price_desc':
      return { sort, priceMinor: row.price_minor, id: row.id };
    case 'rating':
      return { sort, rating: Number(row.rating_key), ratingCount: row.rating_count, id: row.id };
    case 'relevance':
      return { sort, rank: row.rank ?? 0, id: row.id };
  }
}

/**
 * WHERE conditions shared by the page and the facets, and the tsquery expression when there
 * is a text search (written once, so PostgreSQL parses the query text once).
 */
function conditions(
  criteria: Omit<SearchCriteria, 'sort'>,
  params: SqlParameters,
): { where: string[]; tsquery: string | undefined } {
  const where = [`p.status = 'published'`];
  const tsquery =
    criteria.text === undefined ? undefined : `websearch_to_tsquery('english', ${params.add(criteria.text)})`;
  if (tsquery !== undefined) where.push(`p.search_vector @@ ${tsquery}`);
  if (criteria.category !== undefined) where.push(`p.category = ${params.add(criteria.category)}`);
  if (criteria.minPrice !== undefined) where.push(`p.price_minor >= ${params.add(criteria.minPrice)}`);
  if (criteria.maxPrice !== undefined) where.push(`p.price_minor <= ${params.add(criteria.maxPrice)}`);
  if (criteria.currency !== undefined) where.push(`p.currency = ${params.add(criteria.currency)}`);
  if (criteria.sellerId !== undefined) where.push(`p.seller_id = ${params.add(criteria.sellerId)}`);
  if (criteria.inStock !== undefined) where.push(criteria.inStock ? 'p.stock > 0' : 'p.stock = 0');
  if (criteria.minRating !== undefined) {
    where.push(`p.rating_average >= ${params.add(criteria.minRating, 'numeric')}`);
  }
  return { where, tsquery };
}

export class PgProductSearch implements ProductSearchStore {
  constructor(private readonly pool: PgPool) {}

  async page(criteria: SearchCriteria, after: SortKey | undefined, limit: number): Promise<KeyedProduct[]> {
    const params = new SqlParameters();
    const { where, tsquery } = conditions(criteria, params);
    const plan = sortPlan(criteria.sort, tsquery);
    if (after) {
      const values = sortKeyValues(after);
      const positions = plan.columns.map((column, index) => params.add(values[index], column.cast));
      // Row comparison: strictly after the cursor's row in this order (the id breaks ties).
      where.push(
        `(${plan.columns.map((column) => column.expression).join(', ')}) ${plan.descending ? '<' : '>'} (${positions.join(', ')})`,
      );
    }
    const direction = plan.descending ? 'DESC' : 'ASC';
    const rank = tsquery === undefined ? 'NULL::float8' : rankOf(tsquery);
    const { rows } = await this.pool.query<SearchRow>(
      `SELECT ${PRODUCT_COLUMNS}, ${rank} AS rank, COALESCE(p.rating_average, 0) AS rating_key
       FROM products p
       WHERE ${where.join(' AND ')}
       ORDER BY ${plan.columns.map((column) => `${column.expression} ${direction}`).join(', ')}
       LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((row) => ({ product: productFromRow(row), key: keyOf(criteria.sort, row) }));
  }

  async categoryFacets(criteria: Omit<SearchCriteria, 'category'>, max: number): Promise<CategoryFacet[]> {
    const params = new SqlParameters();
    const { where } = conditions(criteria, params);
    const { rows } = await this.pool.query<{ category: string; count: number }>(
      `SELECT p.category, count(*)::integer AS count
       FROM products p
       WHERE ${where.join(' AND ')}
       GROUP BY p.category
       ORDER BY count DESC, p.category ASC
       LIMIT ${params.add(max)}`,
      params.values,
    );
    return rows;
  }
}
