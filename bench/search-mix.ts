/**
 * The search benchmark's request mix, and the SQL each request makes ms-products run, taken
 * from the service's own search code (no copy of its SQL lives here).
 */
import type { PgPool } from '@marketshare/platform/pg';
import { ProductSearch, type SearchRequest } from '../ms-products/src/domain/products/search.js';
import { PgProductSearch } from '../ms-products/src/store/products-search.js';
import type { SqlStatement } from './lib/pg-load.js';

export interface MixEntry {
  label: string;
  request: SearchRequest;
  /** Page 2: the cursor of this entry's first page is filled in before the run. */
  secondPageOf?: string;
}

const PAGE = 20;

/** What buyers do on a catalogue page: type words, narrow by category and price, sort, page on. */
export function searchMix(sellerId: string): MixEntry[] {
  return [
    { label: 'text', request: { q: 'stainless steel', limit: PAGE } },
    { label: 'text, in stock', request: { q: 'nitrile gloves', inStock: true, limit: PAGE } },
    { label: 'text, cheapest first', request: { q: 'led panel', sort: 'price_asc', limit: PAGE } },
    { label: 'phrase and exclusion', request: { q: '"hydraulic hose" -brass', limit: PAGE } },
    {
      label: 'text in a category',
      request: { q: 'beaker or flask', category: 'Laboratory Equipment', limit: PAGE },
    },
    {
      label: 'category, price range, cheapest first',
      request: {
        category: 'Laboratory Equipment',
        minPrice: 1_000,
        maxPrice: 50_000,
        sort: 'price_asc',
        limit: PAGE,
      },
    },
    { label: 'category, newest', request: { category: 'Office Supplies', sort: 'newest', limit: PAGE } },
    {
      label: 'category, in stock, best rated',
      request: { category: 'IT & Networking', inStock: true, sort: 'rating', limit: PAGE },
    },
    { label: 'minimum rating, best rated', request: { minRating: 4.5, sort: 'rating', limit: PAGE } },
    { label: "one seller's newest", request: { sellerId, sort: 'newest', limit: PAGE } },
    { label: 'text, page 2', request: { q: 'stainless steel', limit: PAGE }, secondPageOf: 'text' },
    {
      label: 'category, newest, page 2',
      request: { category: 'Office Supplies', sort: 'newest', limit: PAGE },
      secondPageOf: 'category, newest',
    },
  ];
}

/** The query string the route parses back into `request`. */
export function searchPath(request: SearchRequest): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request)) {
    if (value !== undefined) params.set(name, String(value));
  }
  return `/api/products?${params.toString()}`;
}

/**
 * The statements one search issues, exactly as ms-products issues them: the service's
 * ProductSearch over its PgProductSearch store, on a pool that records instead of running.
 */
export async function searchStatements(request: SearchRequest): Promise<SqlStatement[]> {
  const statements: SqlStatement[] = [];
  const recorder = {
    query: async (text: string, values: unknown[]) => {
      statements.push({ text, values });
      return { rows: [] };
    },
  };
  // PgProductSearch only ever calls pool.query(text, values), which the recorder implements.
  const store = new PgProductSearch(recorder as unknown as PgPool);
  await new ProductSearch(store).search(request);
  if (statements.length === 0) throw new Error('the search issued no SQL');
  return statements;
}
