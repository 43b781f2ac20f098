import type { ServiceMetrics } from '@marketshare/platform';
import type { PgPool } from '@marketshare/platform/pg';
import { httpRequest, type JsonResponse, type TestTokenIssuer } from '@marketshare/platform/testing';
import type { ProductsConfig } from '../../src/config.js';
import { prepareProductsTest, serveProducts } from '../support/products-under-test.js';

/** One test file's catalogue: a fresh database, a token issuer, an images directory, the app on a port. */
export interface CatalogueTestService {
  url: string;
  config: ProductsConfig;
  pool: PgPool;
  issuer: TestTokenIssuer;
  metrics: ServiceMetrics;
  imagesDir: string;
  stop(): Promise<void>;
}

export async function startCatalogueService(): Promise<CatalogueTestService> {
  const base = await prepareProductsTest('ms_products_test', { BODY_LIMIT_BYTES: '65536' });
  try {
    const url = await serveProducts(base);
    const { config, pool, issuer, metrics, imagesDir, stop } = base;
    return { url, config, pool, issuer, metrics, imagesDir, stop };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

/** Field of a parsed JSON body, for assertions on `unknown` bodies. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}

/** The `field` names of a problem's `errors`. */
export function problemFields(response: JsonResponse): string[] {
  const errors = field(response.body, 'errors');
  return Array.isArray(errors) ? errors.map((error: unknown) => String(field(error, 'field'))) : [];
}

export function items(response: JsonResponse): Record<string, unknown>[] {
  const list = field(response.body, 'items');
  if (!Array.isArray(list)) throw new Error(`no items in ${response.text}`);
  return list.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) throw new Error('an item is not an object');
    return { ...item };
  });
}

export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

export async function countProducts(pool: PgPool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM products');
  return rows[0]?.n ?? -1;
}

/** The stored row as the database has it, to show a refused request changed nothing. */
export async function productRow(pool: PgPool, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query<Record<string, unknown>>('SELECT * FROM products WHERE id = $1', [id]);
  return rows[0];
}

export interface Client {
  get(pathAndQuery: string): Promise<JsonResponse>;
  send(method: string, pathAndQuery: string, json?: unknown): Promise<JsonResponse>;
}

/** Requests as one caller (or anonymously without a token). */
export function clientFor(service: CatalogueTestService, token: string | undefined): Client {
  return {
    get: (pathAndQuery) => httpRequest(`${service.url}${pathAndQuery}`, { headers: bearer(token) }),
    send: (method, pathAndQuery, json) =>
      httpRequest(`${service.url}${pathAndQuery}`, {
        method,
        headers: bearer(token),
        ...(json === undefined ? {} : { json }),
      }),
  };
}

let sequence = 0;
export function newProduct(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    name: `Test product ${sequence}`,
    description: 'A sturdy thing for testing.',
    category: 'Testing',
    priceMinor: 1000 + sequence,
    currency: 'EUR',
    stock: 5,
    attributes: { colour: 'green', weight_kg: 1.5, organic: false },
    ...overrides,
  };
}
