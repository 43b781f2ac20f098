/**
 * The seller's back office and the admin pages, browser-safe: the shapes the pages show, read
 * defensively from the services' JSON, and the conversions between what people type and what
 * the services store (prices in minor units, attributes as a flat object).
 */

const get = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
const str = (value: unknown, key: string): string | null => {
  const found = get(value, key);
  return typeof found === 'string' ? found : null;
};
const num = (value: unknown, key: string): number | null => {
  const found = get(value, key);
  return typeof found === 'number' ? found : null;
};

export type ProductStatus = 'published' | 'unpublished';
export type AttributeValue = string | number | boolean;

export interface SellerProduct {
  id: string;
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: string;
  stock: number;
  status: ProductStatus;
  attributes: Record<string, AttributeValue>;
  /** Set while an admin has the product unpublished; the seller cannot publish it then. */
  moderationReason: string | null;
  updatedAt: string;
}

export function toSellerProduct(value: unknown): SellerProduct | null {
  const id = str(value, 'id');
  const name = str(value, 'name');
  const category = str(value, 'category');
  const currency = str(value, 'currency');
  const status = str(value, 'status');
  const priceMinor = num(value, 'priceMinor');
  const stock = num(value, 'stock');
  if (id === null || name === null || category === null || currency === null) return null;
  if (priceMinor === null || stock === null) return null;
  if (status !== 'published' && status !== 'unpublished') return null;
  const attributes: Record<string, AttributeValue> = {};
  const given = get(value, 'attributes');
  if (typeof given === 'object' && given !== null) {
    for (const [key, entry] of Object.entries(given)) {
      if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean')
        attributes[key] = entry;
    }
  }
  return {
    id,
    name,
    description: str(value, 'description') ?? '',
    category,
    priceMinor,
    currency,
    stock,
    status,
    attributes,
    moderationReason: str(get(value, 'moderation'), 'reason'),
    updatedAt: str(value, 'updatedAt') ?? '',
  };
}

export function sellerProducts(body: unknown): SellerProduct[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.map(toSellerProduct).filter((item): item is SellerProduct => item !== null);
}

export function nextCursorOf(body: unknown): string | null {
  return str(body, 'nextCursor');
}

/** Digits after the decimal point in a currency (EUR 2, JPY 0), as Intl knows them. */
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

/**
 * "12.99" or "12,99" in major units to integer minor units; null when it is not a price.
 * Done on the digits, not with floating point, so 0.29 never becomes 28.
 */
export function toMinorUnits(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,12})(?:[.,](\d*))?$/.exec(text.trim());
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(`${match[1] ?? '0'}${fraction.padEnd(digits, '0')}`);
}

/** Minor units back to the plain number a price field shows, e.g. 1299 EUR → "12.99". */
export function toMajorText(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Attributes as the form edits them: one "name: value" a line. */
export function attributesToText(attributes: Record<string, AttributeValue>): string {
  return Object.entries(attributes)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join('\n');
}

/**
 * The form's lines back to an object: numbers and true/false keep their type, everything else
 * stays text. Returns the first bad line's message instead when a line has no name.
 */
export function parseAttributes(text: string): Record<string, AttributeValue> | string {
  const attributes: Record<string, AttributeValue> = {};
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (const [index, line] of lines.entries()) {
    const colon = line.indexOf(':');
    const key = colon < 0 ? '' : line.slice(0, colon).trim();
    if (key === '') return `Line ${index + 1}: write "name: value".`;
    if (Object.hasOwn(attributes, key)) return `Line ${index + 1}: "${key}" appears twice.`;
    const raw = line.slice(colon + 1).trim();
    attributes[key] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return attributes;
}

export interface ProductImage {
  id: string;
  status: 'pending' | 'ready' | 'failed';
  alt: string | null;
  width: number;
  height: number;
  /** Site-relative: the gateway serves them on the site's own origin. */
  thumbnailPath: string;
  originalPath: string;
}

export function productImages(body: unknown, productId: string): ProductImage[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown): ProductImage[] => {
    const id = str(item, 'id');
    const status = str(item, 'status');
    if (id === null || (status !== 'pending' && status !== 'ready' && status !== 'failed')) return [];
    const originalPath = `/api/products/${encodeURIComponent(productId)}/images/${encodeURIComponent(id)}`;
    return [
      {
        id,
        status,
        alt: str(item, 'alt'),
        width: num(item, 'width') ?? 0,
        height: num(item, 'height') ?? 0,
        originalPath,
        thumbnailPath: `${originalPath}/thumbnail`,
      },
    ];
  });
}

export const ORDER_STATUSES = [
  'RECEIVED',
  'IN_DELIVERY',
  'DELIVERED',
  'CANCELLED',
  'REJECTED',
  'OUT_OF_STOCK',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && ORDER_STATUSES.some((status) => status === value);
}

/** The step a seller may take next, and the button that takes it. */
export function nextStepOf(status: OrderStatus): { to: 'IN_DELIVERY' | 'DELIVERED'; label: string } | null {
  if (status === 'RECEIVED') return { to: 'IN_DELIVERY', label: 'Mark as shipped' };
  if (status === 'IN_DELIVERY') return { to: 'DELIVERED', label: 'Mark as delivered' };
  return null;
}

export function statusLabel(status: string): string {
  const lower = status.toLowerCase().replace(/_/g, ' ');
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export interface SellerOrder {
  id: string;
  status: OrderStatus;
  currency: string;
  totalMinor: number;
  createdAt: string;
  items: { productId: string; name: string; quantity: number }[];
}

export function sellerOrders(body: unknown): SellerOrder[] {
  const items = get(body, 'items');
  if (!Array.isArray(items)) return [];
  return items.flatMap((order: unknown): SellerOrder[] => {
    const id = str(order, 'id');
    const status = get(order, 'status');
    const currency = str(order, 'currency');
    const totalMinor = num(order, 'totalMinor');
    if (id === null || !isOrderStatus(status) || currency === null || totalMinor === null) return [];
    const lines = get(order, 'items');
    return [
      {
        id,
        status,
        currency,
        totalMinor,
        createdAt: str(order, 'createdAt') ?? '',
        items: (Array.isArray(lines) ? lines : []).flatMap((line: unknown) => {
          const productId = str(line, 'productId');
          const name = str(line, 'name');
          const quantity = num(line, 'quantity');
          return productId !== null && name !== null && quantity !== null
            ? [{ productId, name, quantity }]
            : [];
        }),
      },
    ];
  });
}

/**
 * ms-products' IMAGE_MAX_BYTES default (5 MiB): checked here for a quick answer; ms-products
 * still judges every upload itself (413 image_too_large when its limit is lower).
 */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
