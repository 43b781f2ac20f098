/**
 * Bulk-loads the demo catalogue: batches of products as one multi-row INSERT each (arrays
 * unnested server-side, so a batch is one round trip), all in one transaction. Loading is
 * idempotent: ids derive from the seed, and rows that exist already are left alone.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { inPgTransaction, type PgClient, type PgPool } from '@marketshare/platform/pg';
import { generateCatalogue, type GeneratedProduct } from '../domain/catalogue-generator.js';

export interface LoadCatalogueOptions {
  seed: number;
  products: number;
  sellerIds: readonly string[];
  /** Delete every product of these sellers first (and their image directories). */
  reset?: boolean;
  /** Where the products' image directories live (`${imagesDir}/${productId}`), for reset. */
  imagesDir?: string | undefined;
  /** Rows per INSERT; default 1000. */
  batchSize?: number;
}

export interface LoadCatalogueOutcome {
  generated: number;
  /** New rows (the rest existed already). */
  inserted: number;
  /** Rows removed by reset. */
  deleted: number;
}

interface SellerTotals {
  sellerId: string;
  total: number;
  count: number;
}

// Seller aggregates move with the seeded reviews as if each had arrived as review.created
// (and as if the reviews of deleted products had never been written).
const ADD_SELLER_RATINGS = `
  INSERT INTO seller_ratings (seller_id, rating_total, rating_count)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
  ON CONFLICT (seller_id) DO UPDATE SET
    rating_total = seller_ratings.rating_total + EXCLUDED.rating_total,
    rating_count = seller_ratings.rating_count + EXCLUDED.rating_count,
    updated_at = now()`;

const SUBTRACT_SELLER_RATINGS = `
  UPDATE seller_ratings SET
    rating_total = GREATEST(0, seller_ratings.rating_total - t.total),
    rating_count = GREATEST(0, seller_ratings.rating_count - t.count),
    updated_at = now()
  FROM unnest($1::text[], $2::bigint[], $3::int[]) AS t(seller_id, total, count)
  WHERE seller_ratings.seller_id = t.seller_id`;

const INSERT_PRODUCTS = `
  WITH inserted AS (
    INSERT INTO products (id, seller_id, name, description, category, price_minor, currency, stock,
                          attributes, status, rating_total, rating_count, rating_average, created_at, updated_at)
    SELECT id, seller_id, name, description, category, price_minor, currency, stock, attributes, 'published',
           rating_total, rating_count,
           CASE WHEN rating_count > 0 THEN round(rating_total::numeric / rating_count, 2) END,
           created_at, created_at
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                $8::int[], $9::jsonb[], $10::bigint[], $11::int[], $12::timestamptz[])
      AS t(id, seller_id, name, description, category, price_minor, currency, stock, attributes,
           rating_total, rating_count, created_at)
    ON CONFLICT (id) DO NOTHING
    RETURNING seller_id, rating_total, rating_count
  )
  SELECT seller_id, sum(rating_total)::bigint AS total, sum(rating_count)::bigint AS count,
         count(*)::int AS rows
  FROM inserted GROUP BY seller_id`;

const DELETE_PRODUCTS = `
  WITH removed AS (
    DELETE FROM products WHERE seller_id = ANY($1::text[]) RETURNING id, seller_id, rating_total, rating_count
  )
  SELECT seller_id, array_agg(id::text) AS ids, sum(rating_total)::bigint AS total,
         sum(rating_count)::bigint AS count
  FROM removed GROUP BY seller_id`;

async function insertBatch(client: PgClient, batch: GeneratedProduct[], totals: Map<string, SellerTotals>) {
  const column = <T>(read: (product: GeneratedProduct) => T): T[] => batch.map(read);
  const result = await client.query<{ seller_id: string; total: number; count: number; rows: number }>(
    INSERT_PRODUCTS,
    [
      column((p) => p.id),
      column((p) => p.sellerId),
      column((p) => p.name),
      column((p) => p.description),
      column((p) => p.category),
      column((p) => p.priceMinor),
      column((p) => p.currency),
      column((p) => p.stock),
      column((p) => JSON.stringify(p.attributes)),
      column((p) => p.rating?.total ?? 0),
      column((p) => p.rating?.count ?? 0),
      column((p) => p.createdAt),
    ],
  );
  let inserted = 0;
  for (const row of result.rows) {
    inserted += row.rows;
    const seller = totals.get(row.seller_id) ?? { sellerId: row.seller_id, total: 0, count: 0 };
    seller.total += row.total;
    seller.count += row.count;
    totals.set(row.seller_id, seller);
  }
  return inserted;
}

async function adjustSellerRatings(
  client: PgClient,
  totals: SellerTotals[],
  direction: 'add' | 'subtract',
): Promise<void> {
  const rated = totals.filter((seller) => seller.count > 0);
  if (rated.length === 0) return;
  await client.query(direction === 'add' ? ADD_SELLER_RATINGS : SUBTRACT_SELLER_RATINGS, [
    rated.map((seller) => seller.sellerId),
    rated.map((seller) => seller.total),
    rated.map((seller) => seller.count),
  ]);
}

async function deleteSellersProducts(
  client: PgClient,
  sellerIds: readonly string[],
): Promise<{ ids: string[]; totals: SellerTotals[] }> {
  const result = await client.query<{ seller_id: string; ids: string[]; total: number; count: number }>(
    DELETE_PRODUCTS,
    [sellerIds],
  );
  return {
    ids: result.rows.flatMap((row) => row.ids),
    totals: result.rows.map((row) => ({ sellerId: row.seller_id, total: row.total, count: row.count })),
  };
}

export async function loadCatalogue(
  pool: PgPool,
  options: LoadCatalogueOptions,
): Promise<LoadCatalogueOutcome> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`invalid batch size: ${batchSize}`);
  const catalogue = generateCatalogue({
    seed: options.seed,
    count: options.products,
    sellerIds: options.sellerIds,
  });
  const outcome = await inPgTransaction(pool, async (client) => {
    let deletedIds: string[] = [];
    if (options.reset === true) {
      const removed = await deleteSellersProducts(client, options.sellerIds);
      await adjustSellerRatings(client, removed.totals, 'subtract');
      deletedIds = removed.ids;
    }
    const totals = new Map<string, SellerTotals>();
    let generated = 0;
    let inserted = 0;
    let batch: GeneratedProduct[] = [];
    for (const product of catalogue) {
      batch.push(product);
      generated += 1;
      if (batch.length === batchSize) {
        inserted += await insertBatch(client, batch, totals);
        batch = [];
      }
    }
    if (batch.length > 0) inserted += await insertBatch(client, batch, totals);
    await adjustSellerRatings(client, [...totals.values()], 'add');
    return { generated, inserted, deletedIds };
  });
  // What autovacuum would do a little later: fresh planner statistics, and the GIN index's pending
  // list merged (a bulk load leaves thousands of entries there that every text search scans).
  if (outcome.inserted > 0 || outcome.deletedIds.length > 0) await pool.query('VACUUM (ANALYZE) products');
  // Files go only after the rows are gone for good; a leftover directory is harmless, a
  // directory removed under a product that survived a rollback is not.
  const { imagesDir } = options;
  if (imagesDir !== undefined) {
    await Promise.all(
      outcome.deletedIds.map((id) => rm(path.join(imagesDir, id), { recursive: true, force: true })),
    );
  }
  return { generated: outcome.generated, inserted: outcome.inserted, deleted: outcome.deletedIds.length };
}
