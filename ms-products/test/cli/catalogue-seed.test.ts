import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPgMigrations } from '@marketshare/platform/pg';
import { createTestPgDatabase, type TestPgDatabase } from '@marketshare/platform/testing';
import { loadCatalogue } from '../../src/cli/catalogue-loader.js';
import { SeedArgsError, parseSeedArgs } from '../../src/cli/seed-args.js';
import { generateCatalogue } from '../../src/domain/catalogue-generator.js';
import { ProductSearch } from '../../src/domain/products/search.js';
import { productsMigrations } from '../../src/store/migrations.js';
import { PgProductSearch } from '../../src/store/products-search.js';

const WORKSPACE = fileURLToPath(new URL('../../', import.meta.url));
const SELLER_A = '0b6f1d2e-1a11-4c1d-9a51-6f0e2d9c1a01';
const SELLER_B = '0b6f1d2e-1a11-4c1d-9a51-6f0e2d9c1a02';
const OTHER_SELLER = '0b6f1d2e-1a11-4c1d-9a51-6f0e2d9c1a03';

interface CommandResult {
  code: number | null;
  output: string;
}

/** The seed command as `npm run -w ms-products seed` runs it. */
function runSeedCommand(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/seed.ts', ...args], {
      cwd: WORKSPACE,
      env: { ...process.env, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('demo catalogue seed', function () {
  this.timeout(120_000);
  let db: TestPgDatabase;
  let imagesDir: string;

  const count = async (sellerId?: string): Promise<number> => {
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM products WHERE $1::text IS NULL OR seller_id = $1',
      [sellerId ?? null],
    );
    return rows[0]?.n ?? -1;
  };

  before(async () => {
    db = await createTestPgDatabase('products_seed');
    await runPgMigrations(db.url, await productsMigrations());
    imagesDir = await mkdtemp(path.join(tmpdir(), 'products-seed-'));
  });

  after(async () => {
    await db?.drop();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  });

  it('loads the generated products exactly, and twice changes nothing', async () => {
    const options = { seed: 7, products: 2_500, sellerIds: [SELLER_A, SELLER_B], batchSize: 1000 };
    const first = await loadCatalogue(db.pool, options);
    assert.deepEqual(first, { generated: 2_500, inserted: 2_500, deleted: 0 });
    const again = await loadCatalogue(db.pool, options);
    assert.deepEqual(again, { generated: 2_500, inserted: 0, deleted: 0 });
    assert.equal(await count(), 2_500);
    assert.equal(await count(SELLER_A), 1_250);

    const expected = [...generateCatalogue({ seed: 7, count: 40, sellerIds: [SELLER_A, SELLER_B] })];
    const { rows } = await db.pool.query<Record<string, unknown>>(
      `SELECT id, seller_id, name, description, category, price_minor, currency, stock, attributes, status,
              rating_total, rating_count, rating_average::float8 AS rating_average, created_at
       FROM products WHERE id = ANY($1::uuid[])`,
      [expected.map((product) => product.id)],
    );
    const byId = new Map(rows.map((row) => [row['id'], row]));
    for (const product of expected) {
      const row = byId.get(product.id);
      assert.ok(row, product.id);
      assert.deepEqual(
        {
          sellerId: row['seller_id'],
          name: row['name'],
          description: row['description'],
          category: row['category'],
          priceMinor: row['price_minor'],
          currency: row['currency'],
          stock: row['stock'],
          attributes: row['attributes'],
          createdAt: (row['created_at'] as Date).toISOString(), // pg returns timestamptz as a Date
        },
        {
          sellerId: product.sellerId,
          name: product.name,
          description: product.description,
          category: product.category,
          priceMinor: product.priceMinor,
          currency: product.currency,
          stock: product.stock,
          attributes: product.attributes,
          createdAt: product.createdAt,
        },
      );
      assert.equal(row['status'], 'published');
      assert.equal(row['rating_count'], product.rating?.count ?? 0);
      assert.equal(row['rating_total'], product.rating?.total ?? 0);
      const average = product.rating
        ? Math.round((product.rating.total / product.rating.count) * 100) / 100
        : null;
      assert.equal(row['rating_average'], average);
    }
  });

  it("keeps each seller's rating aggregate equal to the seeded reviews", async () => {
    const { rows } = await db.pool.query<{ seller_id: string; matches: boolean }>(
      `SELECT t.seller_id, s.rating_total = t.total AND s.rating_count = t.count AS matches
       FROM (SELECT seller_id, sum(rating_total)::bigint AS total, sum(rating_count)::bigint AS count
             FROM products GROUP BY seller_id) t
       JOIN seller_ratings s ON s.seller_id = t.seller_id`,
    );
    assert.equal(rows.length, 2);
    for (const row of rows) assert.equal(row.matches, true, JSON.stringify(row));
  });

  it('is found by the catalogue search (full text, category, facets)', async () => {
    const search = new ProductSearch(new PgProductSearch(db.pool));
    const result = await search.search({ q: 'stainless steel', limit: 10 });
    assert.equal(result.items.length, 10);
    assert.ok(result.nextCursor !== null);
    assert.ok(
      result.items.every((product) => /stainless steel/i.test(`${product.name} ${product.description}`)),
    );
    const facets = await search.search({ limit: 1 });
    assert.equal(facets.facets.categories.length, 12);
    assert.equal(
      facets.facets.categories.reduce((sum, facet) => sum + facet.count, 0),
      2_500,
    );
  });

  it("--reset replaces only those sellers' products, and removes their image directories", async () => {
    await loadCatalogue(db.pool, { seed: 9, products: 30, sellerIds: [OTHER_SELLER] });
    const victim = (
      await db.pool.query<{ id: string }>('SELECT id FROM products WHERE seller_id = $1 LIMIT 1', [SELLER_A])
    ).rows[0]?.id;
    assert.ok(victim);
    await mkdir(path.join(imagesDir, victim));
    await writeFile(path.join(imagesDir, victim, 'original.jpg'), 'x');

    const outcome = await loadCatalogue(db.pool, {
      seed: 8,
      products: 100,
      sellerIds: [SELLER_A, SELLER_B],
      reset: true,
      imagesDir,
    });
    assert.deepEqual(outcome, { generated: 100, inserted: 100, deleted: 2_500 });
    assert.equal(await count(SELLER_A), 50);
    assert.equal(await count(OTHER_SELLER), 30);
    assert.equal(existsSync(path.join(imagesDir, victim)), false);
  });

  it('runs as a command against POSTGRES_URL, idempotently', async () => {
    const env = { POSTGRES_URL: db.url, IMAGES_DIR: imagesDir };
    const args = ['--products', '300', '--sellers', SELLER_A, SELLER_B, '--seed', '11'];
    const first = await runSeedCommand(args, env);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /300 products for 2 seller\(s\), 300 new, 0 already there/);
    const second = await runSeedCommand(args, env);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /0 new, 300 already there/);
    assert.equal((await count(SELLER_A)) + (await count(SELLER_B)), 100 + 300);
  });

  it('refuses bad arguments with the usage and changes nothing', async () => {
    const before = await count();
    const result = await runSeedCommand(['--products', '-5', '--sellers', SELLER_A], {
      POSTGRES_URL: db.url,
    });
    assert.equal(result.code, 1);
    assert.match(result.output, /--products must be an integer/);
    assert.match(result.output, /usage:/);
    assert.equal(await count(), before);
  });

  describe('arguments', () => {
    it('takes sellers space- or comma-separated, and defaults the seed', () => {
      assert.deepEqual(parseSeedArgs(['--products', '10', '--sellers', 'a', 'b,c', '--reset']), {
        products: 10,
        sellerIds: ['a', 'b', 'c'],
        seed: 42,
        reset: true,
      });
      assert.deepEqual(parseSeedArgs(['--sellers=a,a', '--products=3', '--seed=7']), {
        products: 3,
        sellerIds: ['a'],
        seed: 7,
        reset: false,
      });
    });

    it('refuses what it cannot use', () => {
      const refused = [
        [],
        ['--products', '10'],
        ['--sellers', 'a'],
        ['--products', '1.5', '--sellers', 'a'],
        ['--products', '2000000', '--sellers', 'a'],
        ['--products', '1', '--sellers', 'a', '--seed', 'x'],
        ['--products', '1', '--sellers', "a'; DROP TABLE products; --"],
        ['--products', '1', '--sellers', 'a', '--bogus'],
      ];
      for (const argv of refused) assert.throws(() => parseSeedArgs(argv), SeedArgsError, argv.join(' '));
    });
  });
});
