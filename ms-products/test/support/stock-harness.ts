import { randomUUID } from 'node:crypto';
import { createLogger, type ServiceMetrics } from '@marketshare/platform';
import type { PgPool } from '@marketshare/platform/pg';
import type { TestPgDatabase, TestTokenIssuer } from '@marketshare/platform/testing';
import type { ProductsConfig } from '../../src/config.js';
import { prepareProductsTest, serveProducts } from './products-under-test.js';

export const logger = createLogger({
  service: 'ms-products-test',
  level: process.env['LOG_LEVEL'] ?? 'silent',
});

/** ms-products' app on a random port against its own database, with a token issuer. */
export interface ProductsTestApp {
  url: string;
  db: TestPgDatabase;
  pool: PgPool;
  config: ProductsConfig;
  issuer: TestTokenIssuer;
  metrics: ServiceMetrics;
  stop(): Promise<void>;
}

export async function startProductsApp(env: Record<string, string> = {}): Promise<ProductsTestApp> {
  const base = await prepareProductsTest('ms_products_stock', env);
  try {
    const url = await serveProducts(base);
    const { db, pool, config, issuer, metrics, stop } = base;
    return { url, db, pool, config, issuer, metrics, stop };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

export interface TestProduct {
  id?: string;
  sellerId?: string;
  stock: number;
  priceMinor?: number;
  currency?: string;
  status?: 'published' | 'unpublished';
}

/** Inserts a product straight into the table (the catalogue API is not what is under test). */
export async function insertProduct(pool: PgPool, product: TestProduct): Promise<string> {
  const id = product.id ?? randomUUID();
  await pool.query(
    `INSERT INTO products (id, seller_id, name, category, price_minor, currency, stock, status)
     VALUES ($1, $2, $3, 'tools', $4, $5, $6, $7)`,
    [
      id,
      product.sellerId ?? 'seller-1',
      `Product ${id.slice(0, 8)}`,
      product.priceMinor ?? 1999,
      product.currency ?? 'EUR',
      product.stock,
      product.status ?? 'published',
    ],
  );
  return id;
}

/** The value of one series of a counter on the app's registry (0 when absent). */
export async function metricValue(
  metrics: ServiceMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value ?? 0;
}

/** Runs `tasks` with at most `limit` in flight, answers in task order. */
export async function withConcurrency<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < tasks.length; index = next++) {
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
