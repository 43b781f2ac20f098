/**
 * The seller's calls to ms-products and ms-orders, with the session's token (locals.api), and
 * the one place a service's problem+json becomes the field errors a form shows.
 */
import { error } from '@sveltejs/kit';
import {
  ORDER_STATUSES,
  nextCursorOf,
  parseAttributes,
  productImages,
  sellerOrders,
  sellerProducts,
  statusLabel,
  toMinorUnits,
  toSellerProduct,
} from '$lib/seller';
import type { OrderStatus, ProductImage, ProductStatus, SellerOrder, SellerProduct } from '$lib/seller';
import type { Api } from './api.js';
import { field } from './upstream.js';
import type { UpstreamResponse } from './upstream.js';

export type FieldErrors = Record<string, string>;

/**
 * A problem's field errors keyed as the form names its inputs (`priceMinor` → `price`), the
 * rest under `form`, so nothing the service said is lost.
 */
export function problemErrors(
  body: unknown,
  rename: Record<string, string> = {},
  fallback?: string,
): FieldErrors {
  const errors: FieldErrors = {};
  const list = field(body, 'errors');
  for (const entry of Array.isArray(list) ? list : []) {
    const name = field(entry, 'field');
    const message = field(entry, 'message');
    if (typeof name !== 'string' || typeof message !== 'string') continue;
    const top = name.split('.')[0] ?? name;
    const key = rename[top] ?? top;
    errors[key] ??= `${key === top ? '' : `${top} `}${message}`.trim();
  }
  if (Object.keys(errors).length === 0) {
    const detail = field(body, 'detail');
    errors['form'] =
      fallback ?? (typeof detail === 'string' ? detail : 'That did not work. Please try again.');
  }
  return errors;
}

const productPath = (id: string) => `/api/products/${encodeURIComponent(id)}`;

export async function listOwnProducts(
  api: Api,
  query: { status: ProductStatus | null; cursor: string | null },
): Promise<{ items: SellerProduct[]; nextCursor: string | null } | null> {
  const params = new URLSearchParams({ limit: '50' });
  if (query.status !== null) params.set('status', query.status);
  if (query.cursor !== null) params.set('cursor', query.cursor);
  const response = await api('ms-products', {
    route: '/api/products/mine',
    path: `/api/products/mine?${params.toString()}`,
  });
  if (response.status !== 200) return null;
  return { items: sellerProducts(response.body), nextCursor: nextCursorOf(response.body) };
}

/** The seller's product, or the error page (404 for someone else's). */
export async function loadOwnProduct(api: Api, id: string): Promise<SellerProduct> {
  const response = await api('ms-products', { route: '/api/products/:id', path: productPath(id) });
  if (response.status === 404 || response.status === 400) error(404, 'No such product.');
  const product = response.status === 200 ? toSellerProduct(response.body) : null;
  if (product === null) error(502, 'The product could not be loaded. Please try again.');
  return product;
}

export interface ProductInput {
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: string;
  stock: number;
  attributes: Record<string, string | number | boolean>;
  status?: ProductStatus;
}

export function createProduct(api: Api, input: ProductInput): Promise<UpstreamResponse> {
  return api('ms-products', {
    method: 'POST',
    route: '/api/products',
    path: '/api/products',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
}

export function updateProduct(api: Api, id: string, input: ProductInput): Promise<UpstreamResponse> {
  return api('ms-products', {
    method: 'PATCH',
    route: '/api/products/:id',
    path: productPath(id),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
}

export function changeProduct(
  api: Api,
  id: string,
  change: 'publish' | 'unpublish' | 'delete',
): Promise<UpstreamResponse> {
  if (change === 'delete')
    return api('ms-products', { method: 'DELETE', route: '/api/products/:id', path: productPath(id) });
  return api('ms-products', {
    method: 'POST',
    route: `/api/products/:id/${change}`,
    path: `${productPath(id)}/${change}`,
  });
}

export async function listImages(api: Api, id: string): Promise<ProductImage[] | null> {
  const response = await api('ms-products', {
    route: '/api/products/:id/images',
    path: `${productPath(id)}/images`,
  });
  return response.status === 200 ? productImages(response.body, id) : null;
}

/** Forwards the browser's file to ms-products as a multipart form (fetch writes the boundary). */
export function uploadImage(api: Api, id: string, file: File, alt: string): Promise<UpstreamResponse> {
  const form = new FormData();
  form.set('image', file, file.name);
  if (alt !== '') form.set('alt', alt);
  return api('ms-products', {
    method: 'POST',
    route: '/api/products/:id/images',
    path: `${productPath(id)}/images`,
    body: form,
  });
}

export function deleteImage(api: Api, id: string, imageId: string): Promise<UpstreamResponse> {
  return api('ms-products', {
    method: 'DELETE',
    route: '/api/products/:id/images/:imageId',
    path: `${productPath(id)}/images/${encodeURIComponent(imageId)}`,
  });
}

export async function listSellerOrders(
  api: Api,
  query: { status: OrderStatus | null; cursor: string | null },
): Promise<{ items: SellerOrder[]; nextCursor: string | null } | null> {
  const params = new URLSearchParams({ limit: '25' });
  if (query.status !== null) params.set('status', query.status);
  if (query.cursor !== null) params.set('cursor', query.cursor);
  const response = await api('ms-orders', { route: '/api/orders', path: `/api/orders?${params.toString()}` });
  if (response.status !== 200) return null;
  return { items: sellerOrders(response.body), nextCursor: nextCursorOf(response.body) };
}

export function advanceOrder(
  api: Api,
  id: string,
  to: 'IN_DELIVERY' | 'DELIVERED',
): Promise<UpstreamResponse> {
  return api('ms-orders', {
    method: 'POST',
    route: '/api/orders/:id/status',
    path: `/api/orders/${encodeURIComponent(id)}/status`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: to }),
  });
}

export async function loadSellerAnalytics(api: Api): Promise<SellerAnalytics | null> {
  const response = await api('ms-orders', { route: '/api/analytics/seller', path: '/api/analytics/seller' });
  return response.status === 200 ? toSellerAnalytics(response.body) : null;
}

export interface ProductFormValues {
  name: string;
  description: string;
  category: string;
  price: string;
  currency: string;
  stock: string;
  attributes: string;
}

const PRODUCT_FIELDS = { priceMinor: 'price' };

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/** The product form as typed (kept for the page on an error) and, when it is valid, the input. */
export function readProductForm(form: FormData): {
  values: ProductFormValues;
  errors: FieldErrors;
  input: ProductInput | null;
} {
  const values: ProductFormValues = {
    name: text(form, 'name').trim(),
    description: text(form, 'description'),
    category: text(form, 'category').trim(),
    price: text(form, 'price').trim(),
    currency: text(form, 'currency').trim().toUpperCase(),
    stock: text(form, 'stock').trim(),
    attributes: text(form, 'attributes'),
  };
  const errors: FieldErrors = {};
  if (values.name === '') errors['name'] = 'Enter a name.';
  if (values.category === '') errors['category'] = 'Enter a category.';
  if (!/^[A-Z]{3}$/.test(values.currency)) errors['currency'] = 'Choose a currency, e.g. EUR.';
  const priceMinor = toMinorUnits(values.price, values.currency || 'EUR');
  if (priceMinor === null) errors['price'] = 'Enter a price such as 12.99.';
  const stock = /^\d{1,10}$/.test(values.stock) ? Number(values.stock) : null;
  if (stock === null) errors['stock'] = 'Enter a whole number of units, 0 or more.';
  const attributes = parseAttributes(values.attributes);
  if (typeof attributes === 'string') errors['attributes'] = attributes;
  if (
    Object.keys(errors).length > 0 ||
    priceMinor === null ||
    stock === null ||
    typeof attributes === 'string'
  )
    return { values, errors, input: null };
  const { name, description, category, currency } = values;
  return { values, errors, input: { name, description, category, priceMinor, currency, stock, attributes } };
}

/** A create or update refused by ms-products, as the form's field errors. */
export function productProblem(response: UpstreamResponse): FieldErrors {
  return problemErrors(response.body, PRODUCT_FIELDS);
}

export interface MonthFigure {
  label: string;
  value: number;
}

export interface CurrencyFigures {
  currency: string;
  orderCount: number;
  revenueMinor: number;
  netRevenueMinor: number;
  unitsSold: number;
  revenueByMonth: MonthFigure[];
  topProducts: { productId: string; name: string; units: number; revenueMinor: number }[];
}

export interface SellerAnalytics {
  orderCount: number;
  ordersByStatus: { label: string; value: number }[];
  byCurrency: CurrencyFigures[];
}

const count = (value: unknown, key: string): number => {
  const found = field(value, key);
  return typeof found === 'number' ? found : 0;
};
const list = (value: unknown, key: string): unknown[] => {
  const found = field(value, key);
  return Array.isArray(found) ? found : [];
};

export function toSellerAnalytics(body: unknown): SellerAnalytics | null {
  if (typeof body !== 'object' || body === null) return null;
  const byStatus = field(body, 'ordersByStatus');
  return {
    orderCount: count(body, 'orderCount'),
    ordersByStatus: ORDER_STATUSES.map((status) => ({
      label: statusLabel(status),
      value: count(byStatus, status),
    })),
    byCurrency: list(body, 'byCurrency').map((entry) => ({
      currency: String(field(entry, 'currency') ?? ''),
      orderCount: count(entry, 'orderCount'),
      revenueMinor: count(entry, 'revenueMinor'),
      netRevenueMinor: count(entry, 'netRevenueMinor'),
      unitsSold: count(entry, 'unitsSold'),
      revenueByMonth: list(entry, 'revenueByMonth').map((month) => ({
        label: String(field(month, 'month') ?? ''),
        value: count(month, 'revenueMinor'),
      })),
      topProducts: list(entry, 'topProducts').map((product) => ({
        productId: String(field(product, 'productId') ?? ''),
        name: String(field(product, 'name') ?? ''),
        units: count(product, 'units'),
        revenueMinor: count(product, 'revenueMinor'),
      })),
    })),
  };
}
