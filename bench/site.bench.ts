/**
 * npm run bench -- site
 *
 * The site's server-rendered pages through the gateway at a fixed concurrency (home, a search,
 * a product, a signed-in buyer's orders), the search page against the search API behind it in
 * the same run, then Lighthouse on home, search and product. Writes bench/reports/site.md and
 * site.json. Settings (for trying things out; the committed report uses the defaults):
 * BENCH_CONNECTIONS, BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_PRODUCTS, BENCH_LOG_LEVEL,
 * BENCH_LIGHTHOUSE=off.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, type StackInfo } from '../scripts/stack/index.js';
import { DEMO_SEED, demoTargetOf } from '../scripts/seed-demo.js';
import { withBenchStack } from './lib/bench-stack.js';
import { machineInfo } from './lib/machine.js';
import { integerSetting } from './lib/settings.js';
import { CHROME_FLAGS, CHROME_PATH, runLighthouse, type LighthouseResult } from './site-lighthouse.js';
import { measureTarget, type Target, type TargetResult } from './site-load.js';
import { evaluate, renderSiteReport, type SiteBenchResult } from './site-report.js';
import { BUYER, SEARCH, prepareSite, signInThroughForm } from './site-setup.js';
import { postgresVersion } from './lib/pg-version.js';

const settings: SiteBenchResult['settings'] = {
  connections: integerSetting('BENCH_CONNECTIONS', 16, 256),
  warmupSeconds: integerSetting('BENCH_WARMUP_S', 3, 60),
  durationSeconds: integerSetting('BENCH_DURATION_S', 10, 120),
  products: integerSetting('BENCH_PRODUCTS', 300, 100_000),
  seed: DEMO_SEED,
  checkouts: 3,
  serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
  // The load replays one session cookie; a refresh would rotate its refresh token under every
  // other request in flight (a browser would take the new cookie). So no refresh during the run:
  // tokens outlive it, and the account check runs at its longest interval.
  accessTokenTtlSeconds: 1_800,
  sessionAccountCheckSeconds: 300,
  lighthouse: process.env['BENCH_LIGHTHOUSE'] !== 'off',
};

const log = (message: string) => console.log(`[bench:site] ${message}`);

function chromiumVersion(): string {
  try {
    return execFileSync(CHROME_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The last warnings and errors in a service's log (pino JSON lines), for a run that went wrong. */
function loggedProblems(file: string, count = 5): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /"level":"?(warn|error|fatal|40|50|60)/.test(line))
      .slice(-count)
      .map((line) => line.slice(0, 600));
  } catch {
    return [];
  }
}

function describe(result: TargetResult): string {
  const { load } = result;
  return `${load.requestsPerSecond} req/s, p50 ${load.latencyMs.p50} / p95 ${load.latencyMs.p95} / p99 ${load.latencyMs.p99} ms, ${load.errors} errors, ${result.bytes} bytes`;
}

async function measure(stack: StackInfo): Promise<Omit<SiteBenchResult, 'machine'> & { postgres: string }> {
  const target = demoTargetOf(stack);
  const fixture = await prepareSite(target, { products: settings.products, checkouts: settings.checkouts });
  log(
    `seeded ${fixture.seeded.products} products in ${fixture.seeded.seconds} s; ${BUYER} has ${fixture.orders} orders; the search shows ${fixture.searchItems} products`,
  );
  const run = {
    gatewayUrl: stack.urls.gateway,
    frontendUrl: stack.urls.services['frontend'],
    stateDir: stack.stateDir,
    cpus: os.availableParallelism(),
    connections: settings.connections,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: settings.durationSeconds,
  };
  const product = `/products/${fixture.productId}`;
  const anonymous: Target[] = [
    { label: 'home', path: '/', page: true },
    { label: 'search page', path: SEARCH.page, page: true },
    { label: 'search API', path: SEARCH.api, page: false },
    { label: 'product page', path: product, page: true },
  ];
  const results: TargetResult[] = [];
  const measureOne = async (one: Target) => {
    log(
      `${one.label} (${one.path}): ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s at ${settings.connections} connections`,
    );
    const result = await measureTarget(run, one);
    log(`${one.label}: ${describe(result)}`);
    results.push(result);
  };
  for (const one of anonymous) await measureOne(one);
  // Signed in right before its load: the session is fresh for all of it (see settings).
  const signInFailures: string[] = [];
  let cookie: string | undefined;
  for (let attempt = 1; cookie === undefined; attempt += 1) {
    try {
      cookie = await signInThroughForm(stack.urls.gateway);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      log(`sign-in attempt ${attempt} failed: ${why}`);
      for (const name of ['frontend', 'ms-auth']) {
        for (const line of loggedProblems(path.join(stack.stateDir, 'logs', `${name}.log`)))
          log(`  ${name}: ${line}`);
      }
      signInFailures.push(why);
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  await measureOne({ label: 'orders page (signed in)', path: '/orders', page: true, headers: { cookie } });

  const lighthouse: LighthouseResult[] = [];
  if (settings.lighthouse) {
    for (const [page, pagePath] of [
      ['home', '/'],
      ['search', SEARCH.page],
      ['product', product],
    ] as const) {
      log(`lighthouse: ${page}`);
      const result = await runLighthouse(page, `${stack.urls.gateway}${pagePath}`);
      log(
        result.error === null
          ? `lighthouse ${page}: performance ${result.performance}, accessibility ${result.accessibility} (${result.seconds} s)`
          : `lighthouse ${page}: failed: ${result.error}`,
      );
      lighthouse.push(result);
    }
  }
  return {
    postgres: await postgresVersion(target.postgresUrl),
    settings,
    fixture,
    targets: results,
    signInFailures,
    lighthouse,
    ...evaluate(results, lighthouse),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo(REPO_ROOT);
  const { postgres, ...measured } = await withBenchStack(
    {
      name: 'site',
      services: ['ms-auth', 'ms-users', 'ms-products', 'ms-orders', 'ms-email', 'frontend'],
      serviceEnv: {
        LOG_LEVEL: settings.serviceLogLevel,
        PAYMENT_APPROVAL_PROBABILITY: '1',
        ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtlSeconds),
        SESSION_ACCOUNT_CHECK_SECONDS: String(settings.sessionAccountCheckSeconds),
      },
      timeoutMs: 10 * 60_000,
    },
    measure,
  );
  const result: SiteBenchResult = {
    machine: { ...machine, postgres, chromium: chromiumVersion(), chromeFlags: CHROME_FLAGS },
    ...measured,
  };
  const reports = path.join(REPO_ROOT, 'bench', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(path.join(reports, 'site.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(reports, 'site.md'), renderSiteReport(result));
  log(
    `search page ÷ API throughput: ${result.searchRatio} (target ≥ 0.7: ${result.met.ratio ? 'met' : 'not met'})`,
  );
  log('report: bench/reports/site.md');
}

main().catch((error: unknown) => {
  console.error(`[bench:site] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
