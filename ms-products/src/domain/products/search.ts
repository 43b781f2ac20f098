import { canonicalBinding, decodeCursor, encodeCursor, type SearchSort } from './cursor.js';
import { ProductError } from './errors.js';
import type { KeyedProduct } from './ports.js';
import type { Product } from './product.js';

export interface SearchFilters {
  category?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  currency?: string | undefined;
  sellerId?: string | undefined;
  inStock?: boolean | undefined;
  minRating?: number | undefined;
}

/** What the store runs: only published products, always. */
export interface SearchCriteria extends SearchFilters {
  /** Free text for websearch_to_tsquery ("quoted phrases", or, -exclusions); never SQL. */
  text: string | undefined;
  sort: SearchSort;
}

export interface SearchRequest extends SearchFilters {
  q?: string | undefined;
  sort?: SearchSort | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface CategoryFacet {
  category: string;
  count: number;
}

export interface SearchResult {
  items: Product[];
  nextCursor: string | null;
  facets: { categories: CategoryFacet[] };
}

export interface ProductSearchStore {
  /** Up to `limit` products in `criteria.sort` order, after `after` when given. */
  page(
    criteria: SearchCriteria,
    after: KeyedProduct['key'] | undefined,
    limit: number,
  ): Promise<KeyedProduct[]>;
  /** Matching products per category, most first, at most `max` categories. */
  categoryFacets(criteria: Omit<SearchCriteria, 'category'>, max: number): Promise<CategoryFacet[]>;
}

/** Enough for any sidebar; a catalogue with more categories shows its biggest ones. */
export const FACET_CATEGORY_LIMIT = 50;

/**
 * Relevance is the natural order of a text search and means nothing without text; newest is
 * the natural order of browsing. An explicit relevance sort without text falls back to newest.
 */
function effectiveSort(text: string | undefined, sort: SearchSort | undefined): SearchSort {
  if (sort === undefined || sort === 'relevance') return text === undefined ? 'newest' : 'relevance';
  return sort;
}

export function searchCriteria(request: SearchRequest): SearchCriteria {
  const text = request.q?.trim() === '' ? undefined : request.q?.trim();
  if (
    request.minPrice !== undefined &&
    request.maxPrice !== undefined &&
    request.minPrice > request.maxPrice
  ) {
    throw new ProductError('invalid', 'invalid_price_range', 'maxPrice is below minPrice.', 'maxPrice');
  }
  return {
    text,
    sort: effectiveSort(text, request.sort),
    category: request.category,
    minPrice: request.minPrice,
    maxPrice: request.maxPrice,
    currency: request.currency,
    sellerId: request.sellerId,
    inStock: request.inStock,
    minRating: request.minRating,
  };
}

/** A cursor is bound to everything that decides which rows come in which order. */
function bindingOf(criteria: SearchCriteria): string {
  return canonicalBinding({ list: 'search', ...criteria });
}

export class ProductSearch {
  constructor(private readonly store: ProductSearchStore) {}

  async search(request: SearchRequest): Promise<SearchResult> {
    const criteria = searchCriteria(request);
    const binding = bindingOf(criteria);
    const after =
      request.cursor === undefined ? undefined : decodeCursor(request.cursor, binding, criteria.sort);
    const { category: _category, ...withoutCategory } = criteria;
    const [rows, categories] = await Promise.all([
      this.store.page(criteria, after, request.limit + 1),
      this.store.categoryFacets(withoutCategory, FACET_CATEGORY_LIMIT),
    ]);
    const page = rows.slice(0, request.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => row.product),
      nextCursor: rows.length > request.limit && last ? encodeCursor(binding, last.key) : null,
      facets: { categories },
    };
  }
}
