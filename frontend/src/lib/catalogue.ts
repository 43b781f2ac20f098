/**
 * The catalogue as the pages see it: the search filters kept in the URL, and the shapes of
 * products, images, reviews and sellers read defensively from the services' JSON. Browser-safe.
 */
export const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'rating'] as const;
export type Sort = (typeof SORTS)[number];

export const SORT_LABELS: Record<Sort, string> = {
  relevance: 'Best match',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  newest: 'Newest',
  rating: 'Best rated',
};

/** Currencies a price range can be given in; the amount is converted with the currency's digits. */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'PLN', 'JPY'] as const;

/** The search form's values exactly as typed, so they can be shown again. */
export interface SearchForm {
  q: string;
  category: string;
  minPrice: string;
  maxPrice: string;
  currency: string;
  inStock: boolean;
  minRating: string;
  sort: string;
  cursor: string;
}

const param = (url: URL, name: string): string => (url.searchParams.get(name) ?? '').trim();

export function readSearchForm(url: URL): SearchForm {
  return {
    q: param(url, 'q'),
    category: param(url, 'category'),
    minPrice: param(url, 'minPrice'),
    maxPrice: param(url, 'maxPrice'),
    currency: param(url, 'currency'),
    inStock: ['1', 'true', 'on'].includes(param(url, 'inStock')),
    minRating: param(url, 'minRating'),
    sort: param(url, 'sort'),
    cursor: param(url, 'cursor'),
  };
}

/** The page's URL for these values (empty ones left out), e.g. for a facet or the next page. */
export function searchHref(path: string, form: SearchForm, change: Partial<SearchForm> = {}): string {
  const next = { ...form, ...change };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(next)) {
    if (value === '' || value === false) continue;
    params.set(key, value === true ? '1' : value);
  }
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** '12.5' EUR → 1250; null when it is not a plain amount (the caller says so next to the input). */
export function toMinorUnits(major: string, currency: string): number | null {
  if (!/^-?\d+(?:[.,]\d+)?$/.test(major)) return null;
  return Math.round(Number(major.replace(',', '.')) * 10 ** currencyDigits(currency));
}

export interface Rating {
  average: number | null;
  count: number;
}

export interface Product {
  id: string;
  sellerId: string;
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: string;
  stock: number;
  inStock: boolean;
  attributes: [string, string | number | boolean][];
  rating: Rating;
  createdAt: string;
}

export interface ProductImage {
  id: string;
  alt: string | null;
  width: number;
  height: number;
  ready: boolean;
  original: string;
  thumbnail: string;
}

export interface Review {
  id: string;
  rating: number;
  text: string;
  createdAt: string;
}

export interface SellerProfile {
  id: string;
  username: string;
  companyName: string;
  displayName: string | null;
  website: string | null;
  joinedAt: string;
}

export const get = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

export function toRating(value: unknown): Rating {
  return { average: num(get(value, 'average')), count: num(get(value, 'count')) ?? 0 };
}

export function toProduct(value: unknown): Product | null {
  const id = str(get(value, 'id'));
  const name = str(get(value, 'name'));
  const priceMinor = num(get(value, 'priceMinor'));
  const currency = str(get(value, 'currency'));
  if (id === null || name === null || priceMinor === null || currency === null) return null;
  const attributes = get(value, 'attributes');
  return {
    id,
    sellerId: str(get(value, 'sellerId')) ?? '',
    name,
    description: str(get(value, 'description')) ?? '',
    category: str(get(value, 'category')) ?? '',
    priceMinor,
    currency,
    stock: num(get(value, 'stock')) ?? 0,
    inStock: get(value, 'inStock') === true,
    attributes:
      typeof attributes === 'object' && attributes !== null
        ? Object.entries(attributes).filter((entry): entry is [string, string | number | boolean] =>
            ['string', 'number', 'boolean'].includes(typeof entry[1]),
          )
        : [],
    rating: toRating(get(value, 'rating')),
    createdAt: str(get(value, 'createdAt')) ?? '',
  };
}

export function toProducts(body: unknown): Product[] {
  const items = get(body, 'items');
  return Array.isArray(items) ? items.map(toProduct).filter((item): item is Product => item !== null) : [];
}

/** The site and the gateway share one origin, so a path keeps the CSP's img-src 'self' true. */
function sameOriginPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

export function toImages(body: unknown): ProductImage[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown): ProductImage[] => {
    const id = str(get(item, 'id'));
    const original = str(get(get(item, 'urls'), 'original'));
    const thumbnail = str(get(get(item, 'urls'), 'thumbnail'));
    if (id === null || original === null || thumbnail === null || get(item, 'status') === 'failed') return [];
    return [
      {
        id,
        alt: str(get(item, 'alt')),
        width: num(get(item, 'width')) ?? 800,
        height: num(get(item, 'height')) ?? 600,
        ready: get(item, 'status') === 'ready',
        original: sameOriginPath(original),
        thumbnail: sameOriginPath(thumbnail),
      },
    ];
  });
}

export function toReviews(body: unknown): Review[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown): Review[] => {
    const id = str(get(item, 'id'));
    const rating = num(get(item, 'rating'));
    if (id === null || rating === null) return [];
    return [{ id, rating, text: str(get(item, 'text')) ?? '', createdAt: str(get(item, 'createdAt')) ?? '' }];
  });
}

export function toSellerProfile(body: unknown): SellerProfile | null {
  const id = str(get(body, 'id'));
  const companyName = str(get(body, 'companyName'));
  if (id === null || companyName === null) return null;
  return {
    id,
    username: str(get(body, 'username')) ?? '',
    companyName,
    displayName: str(get(body, 'displayName')),
    website: str(get(body, 'website')),
    joinedAt: str(get(body, 'joinedAt')) ?? '',
  };
}

export function nextCursorOf(body: unknown): string | null {
  return str(get(body, 'nextCursor'));
}

/**
 * The service's query for a search form: prices converted to minor units. Values that are not
 * numbers at all are refused here (the service never sees them); everything else, say a rating
 * of 7, goes through so the service's own field errors are shown.
 */
export function searchQuery(
  form: SearchForm,
  extra: Record<string, string> = {},
): { query: URLSearchParams; errors: Record<string, string> } {
  const query = new URLSearchParams(extra);
  const errors: Record<string, string> = {};
  if (form.q !== '') query.set('q', form.q);
  if (form.category !== '') query.set('category', form.category);
  if (form.currency !== '') query.set('currency', form.currency);
  const currency = form.currency === '' ? 'EUR' : form.currency;
  for (const name of ['minPrice', 'maxPrice'] as const) {
    if (form[name] === '') continue;
    const minor = toMinorUnits(form[name], currency);
    if (minor === null) errors[name] = 'Enter an amount such as 12.50.';
    else query.set(name, String(minor));
  }
  if (form.inStock) query.set('inStock', 'true');
  if (form.minRating !== '') query.set('minRating', form.minRating);
  if (form.sort !== '') query.set('sort', form.sort);
  if (form.cursor !== '') query.set('cursor', form.cursor);
  return { query, errors };
}
