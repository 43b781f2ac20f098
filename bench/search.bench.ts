/**
 * npm run bench -- search
 *
 * Search on the 10,000-product demo catalogue: GET /api/products through the gateway at 32
 * connections versus the same SQL run directly with pg at the same concurrency, in one run.
 * Writes bench/reports/search.md and search.json. Settings (for trying things out; the committed
 * report uses the defaults): BENCH_CONNECTIONS, BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_PRODUCTS,
 * BENCH_LOG_LEVEL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPgPool } from '@marketshare/platform/pg';
import { REPO_ROOT, type StackInfo } from '../scripts/stack/index.js';
import { DEMO_SEED, demoLogin, demoTargetOf, seedDemo } from '../scripts/seed-demo.js';
import { runHttpLoad } from './lib/http-load.js';
import { integerSetting } from './lib/settings.js';
import { machineInfo } from './lib/machine.js';
import { withBenchStack } from './lib/bench-stack.js';
import { runPgLoad, type SqlStatement } from './lib/pg-load.js';
import { serialCost, type SerialCost } from './lib/serial.js';
import { searchMix, searchPath, searchStatements, type MixEntry } from './search-mix.js';
import { evaluate, renderSearchReport, type SearchBenchResult } from './search-report.js';

const settings = {
  connections: integerSetting('BENCH_CONNECTIONS', 32, 256),
  warmupSeconds: integerSetting('BENCH_WARMUP_S', 5, 60),
  // Bounded well inside the access token's lifetime (5 minutes).
  durationSeconds: integerSetting('BENCH_DURATION_S', 20, 120),
  products: integerSetting('BENCH_PRODUCTS', 10_000, 100_000),
  seed: DEMO_SEED,
  sellers: 3,
  serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
};

const log = (message: string) => console.log(`[bench:search] ${message}`);

interface PreparedEntry extends MixEntry {
  path: string;
  items: number;
  matches: number;
  statements: SqlStatement[];
}

async function getJson(url: string, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json();
  if (response.status !== 200 || typeof body !== 'object' || body === null) {
    throw new Error(`GET ${url}: ${response.status} ${JSON.stringify(body)}`);
  }
  return body as Record<string, unknown>; // a JSON object, checked just above
}

/** Runs every request of the mix once through the gateway: each must find products; fills page-2 cursors. */
async function prepareMix(gatewayUrl: string, token: string, mix: MixEntry[]): Promise<PreparedEntry[]> {
  const cursors = new Map<string, string>();
  const prepared: PreparedEntry[] = [];
  for (const entry of mix) {
    if (entry.secondPageOf !== undefined) {
      const cursor = cursors.get(entry.secondPageOf);
      if (cursor === undefined) throw new Error(`"${entry.secondPageOf}" has no second page`);
      entry.request = { ...entry.request, cursor };
    }
    const requestPath = searchPath(entry.request);
    const body = await getJson(`${gatewayUrl}${requestPath}`, token);
    const items = Array.isArray(body['items']) ? body['items'].length : 0;
    if (items === 0) throw new Error(`"${entry.label}" found nothing: the mix must exercise real results`);
    if (typeof body['nextCursor'] === 'string') cursors.set(entry.label, body['nextCursor']);
    const facets = body['facets'] as { categories?: { count: number }[] } | undefined; // shape of SearchResultView
    const matches = (facets?.categories ?? []).reduce((sum, facet) => sum + facet.count, 0);
    prepared.push({
      ...entry,
      path: requestPath,
      items,
      matches,
      statements: await searchStatements(entry.request),
    });
  }
  return prepared;
}

async function measure(stack: StackInfo): Promise<Omit<SearchBenchResult, 'machine'> & { postgres: string }> {
  const target = demoTargetOf(stack);
  const seedStarted = performance.now();
  const seeded = await seedDemo(target, { products: settings.products });
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
  log(`seeded ${seeded.products} products (${seeded.inserted} new) in ${seedSeconds} s`);
  const token = await demoLogin(target, 'demo-buyer-acme');
  const firstSeller = seeded.accounts.find((account) => account.role === 'seller');
  if (!firstSeller) throw new Error('no demo seller');
  const mix = await prepareMix(stack.urls.gateway, token, searchMix(firstSeller.id));

  const http = {
    url: stack.urls.gateway,
    connections: settings.connections,
    requests: mix.map((entry) => ({ path: entry.path, headers: { authorization: `Bearer ${token}` } })),
  };
  log(
    `gateway: ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s at ${settings.connections} connections`,
  );
  await runHttpLoad({ ...http, durationSeconds: settings.warmupSeconds });
  const gateway = await runHttpLoad({ ...http, durationSeconds: settings.durationSeconds });
  log(
    `gateway: ${gateway.requestsPerSecond} req/s, p99 ${gateway.latencyMs.p99} ms, ${gateway.errors} errors`,
  );

  const pool = createPgPool(target.postgresUrl, { max: settings.connections });
  try {
    const version = await pool.query<{ v: string }>(
      "SELECT 'PostgreSQL ' || current_setting('server_version') AS v",
    );
    log('one request at a time: each search of the mix through the gateway and directly');
    const serial: { gatewayMs: SerialCost; directMs: SerialCost }[] = [];
    for (const entry of mix) {
      const gatewayCost = await serialCost(() => getJson(`${stack.urls.gateway}${entry.path}`, token));
      const directCost = await serialCost(() =>
        Promise.all(entry.statements.map((statement) => pool.query(statement.text, statement.values))),
      );
      serial.push({ gatewayMs: gatewayCost, directMs: directCost });
    }
    const direct = { pool, workers: settings.connections, requests: mix.map((entry) => entry.statements) };
    log(
      `direct SQL: ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s with ${settings.connections} workers`,
    );
    await runPgLoad({ ...direct, durationSeconds: settings.warmupSeconds });
    const sql = await runPgLoad({ ...direct, durationSeconds: settings.durationSeconds });
    log(`direct SQL: ${sql.requestsPerSecond} req/s, p99 ${sql.latencyMs.p99} ms, ${sql.errors} errors`);
    return {
      postgres: version.rows[0]?.v ?? 'PostgreSQL',
      settings,
      seeding: { seconds: seedSeconds, inserted: seeded.inserted },
      mix: mix.map((entry, index) => ({
        label: entry.label,
        path: entry.path.replace(/cursor=[^&]+/, 'cursor=…'),
        items: entry.items,
        matches: entry.matches,
        statements: entry.statements.length,
        serial: serial[index] ?? null,
      })),
      gateway,
      direct: sql,
      ...evaluate(gateway, sql),
    };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const machine = machineInfo(REPO_ROOT);
  const { postgres, ...measured } = await withBenchStack(
    {
      name: 'search',
      services: ['ms-auth', 'ms-users', 'ms-products'],
      serviceEnv: { LOG_LEVEL: settings.serviceLogLevel },
      timeoutMs: 15 * 60_000,
    },
    measure,
  );
  const result: SearchBenchResult = { machine: { ...machine, postgres }, ...measured };
  const reports = path.join(REPO_ROOT, 'bench', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(path.join(reports, 'search.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(reports, 'search.md'), renderSearchReport(result));
  log(
    `ratio ${result.ratio} (target ≥ 0.5: ${result.targets.ratioMet ? 'met' : 'not met'}), gateway p99 ${result.gateway.latencyMs.p99} ms (target < 50 ms: ${result.targets.p99Met ? 'met' : 'not met'})`,
  );
  log(`report: bench/reports/search.md`);
}

main().catch((error: unknown) => {
  console.error(`[bench:search] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
