/** The parts of ms-products' ProductView the pages show, read defensively from its JSON. */
export interface ProductSummary {
  id: string;
  name: string;
  category: string;
  priceMinor: number;
  currency: string;
  inStock: boolean;
}

export interface CategoryCount {
  category: string;
  count: number;
}

const get = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;

export function toProductSummary(value: unknown): ProductSummary | null {
  const id = get(value, 'id');
  const name = get(value, 'name');
  const category = get(value, 'category');
  const priceMinor = get(value, 'priceMinor');
  const currency = get(value, 'currency');
  const inStock = get(value, 'inStock');
  if (typeof id !== 'string' || typeof name !== 'string' || typeof category !== 'string') return null;
  if (typeof priceMinor !== 'number' || typeof currency !== 'string' || typeof inStock !== 'boolean')
    return null;
  return { id, name, category, priceMinor, currency, inStock };
}

export function productItems(body: unknown): ProductSummary[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.map(toProductSummary).filter((item): item is ProductSummary => item !== null);
}

export function categoryFacets(body: unknown): CategoryCount[] {
  const categories = get(get(body, 'facets'), 'categories');
  if (!Array.isArray(categories)) return [];
  return categories.flatMap((entry: unknown) => {
    const category = get(entry, 'category');
    const count = get(entry, 'count');
    return typeof category === 'string' && typeof count === 'number' ? [{ category, count }] : [];
  });
}
