/**
 * npm run bench -- checkout
 *
 * Checkout through the gateway at increasing concurrency (1, 4, 16, 32, 64 consumers at once):
 * accepted orders/s, latency percentiles and what the answers were, then the oversell check
 * (units sold against stock taken, per product). Writes bench/reports/checkout.md and
 * checkout.json; exits non-zero when the oversell check fails. Settings (for trying things out;
 * the committed report uses the defaults): BENCH_CONCURRENCY (e.g. "1,4,16"), BENCH_STAGE_S,
 * BENCH_WARMUP_S, BENCH_SCARCE_STOCK, BENCH_LOG_LEVEL.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mongoLibDir, REPO_ROOT, type StackInfo } from '../scripts/stack/index.js';
import { demoTargetOf } from '../scripts/seed-demo.js';
import { withBenchStack } from './lib/bench-stack.js';
import { machineInfo } from './lib/machine.js';
import { integerListSetting, integerSetting } from './lib/settings.js';
import { checkOversell } from './checkout-audit.js';
import { drainOutbox, runStage, type Stage, type StageResult } from './checkout-load.js';
import { renderCheckoutReport, type CheckoutBenchResult } from './checkout-report.js';
import { prepareFixture } from './checkout-setup.js';
import { postgresVersion } from './lib/pg-version.js';

/** How long after the load the run waits for ms-orders' relay to send every order event. */
const OUTBOX_DRAIN_BUDGET_MS = 150_000;
/** Longer than the whole run may take (withBenchStack's bound below). */
const ACCESS_TOKEN_TTL_SECONDS = 1_800;

const concurrency = integerListSetting('BENCH_CONCURRENCY', [1, 4, 16, 32, 64], 256);
const settings: CheckoutBenchResult['settings'] = {
  concurrency,
  stageSeconds: integerSetting('BENCH_STAGE_S', 15, 60),
  warmupSeconds: integerSetting('BENCH_WARMUP_S', 5, 30),
  warmupConcurrency: 4,
  sellers: 4,
  productsPerSeller: 5,
  plentifulStock: 1_000_000,
  scarceStock: integerSetting('BENCH_SCARCE_STOCK', 12, 10_000),
  // One consumer per worker at the highest level: nobody has two checkouts in flight.
  consumers: Math.max(...concurrency),
  serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
  paymentApprovalProbability: 1,
  accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
};

const log = (message: string) => console.log(`[bench:checkout] ${message}`);

function mongoVersion(): string {
  if ((process.env['MONGO_URL'] ?? '') !== '') return 'MongoDB at MONGO_URL';
  const jar = readdirSync(mongoLibDir(REPO_ROOT)).find((file) =>
    /^mongo-java-server-core-.*\.jar$/.test(file),
  );
  const version = jar?.match(/^mongo-java-server-core-(.*)\.jar$/)?.[1] ?? 'unknown';
  return `mongo-java-server ${version} (the local MongoDB stand-in)`;
}

/** The last warnings and errors in a service's log (pino JSON lines), for a run that went wrong. */
function loggedProblems(file: string, count = 10): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
      .slice(-count)
      .map((line) => line.slice(0, 500));
  } catch {
    return [];
  }
}

function describe(stage: StageResult): string {
  const { checkouts: c } = stage;
  return `${c.requests} checkouts (${c.requestsPerSecond}/s), ${stage.ordersPerSecond} accepted orders/s, p50 ${c.latencyMs.p50} / p95 ${c.latencyMs.p95} / p99 ${c.latencyMs.p99} ms, orders ${JSON.stringify(stage.orders)}, answers ${JSON.stringify(stage.statusCodes)}`;
}

async function measure(
  stack: StackInfo,
): Promise<Omit<CheckoutBenchResult, 'machine'> & { postgres: string }> {
  const target = demoTargetOf(stack);
  const stages: Stage[] = [
    {
      label: 'warm-up',
      concurrency: settings.warmupConcurrency,
      seconds: settings.warmupSeconds,
      warmup: true,
    },
    ...concurrency.map((level) => ({
      label: `c${level}`,
      concurrency: level,
      seconds: settings.stageSeconds,
      warmup: false,
    })),
  ];
  const setupStarted = performance.now();
  const fixture = await prepareFixture(target, {
    sellers: settings.sellers,
    productsPerSeller: settings.productsPerSeller,
    plentifulStock: settings.plentifulStock,
    scarceStock: settings.scarceStock,
    consumers: settings.consumers,
    stages,
  });
  const setupSeconds = Math.round((performance.now() - setupStarted) / 100) / 10;
  log(
    `${fixture.sellers.length} sellers, ${fixture.products.length} products, ${fixture.consumers.length} consumers with tokens in ${setupSeconds} s`,
  );

  const ordersUrl = stack.urls.services['ms-orders'];
  const acceptedUnits = new Map<string, number>();
  const results: StageResult[] = [];
  for (const stage of stages) {
    log(`${stage.label}: ${stage.seconds} s at concurrency ${stage.concurrency}`);
    const result = await runStage({
      gatewayUrl: stack.urls.gateway,
      haproxyStatsUrl: stack.urls.haproxyStats,
      services: stack.services,
      ordersServiceUrl: ordersUrl,
      stateDir: stack.stateDir,
      fixture,
      stage,
      acceptedUnits,
    });
    log(`${stage.label}: ${describe(result)}`);
    results.push(result);
  }

  const loadEnded = performance.now();
  log('oversell check');
  const oversell = await checkOversell(target, fixture, acceptedUnits);
  log(`outbox: waiting for the relay to send the order events (at most ${OUTBOX_DRAIN_BUDGET_MS / 1000} s)`);
  const outboxDrain = await drainOutbox(ordersUrl, loadEnded, OUTBOX_DRAIN_BUDGET_MS);
  if (outboxDrain.seconds === null) {
    log('outbox: not drained in time; the last problems ms-orders logged:');
    for (const line of loggedProblems(path.join(stack.stateDir, 'logs', 'ms-orders.log'))) log(`  ${line}`);
  } else {
    log(`outbox: drained ${outboxDrain.seconds} s after the load`);
  }
  return {
    postgres: await postgresVersion(target.postgresUrl),
    settings,
    setupSeconds,
    stages: results,
    outboxDrain,
    oversell,
  };
}

async function main(): Promise<void> {
  const machine = machineInfo(REPO_ROOT);
  const { postgres, ...measured } = await withBenchStack(
    {
      name: 'checkout',
      // ms-email too: it binds the queue for the order events, which ms-orders publishes as
      // mandatory; without it every event would come back unroutable and stay in the outbox.
      services: ['ms-auth', 'ms-users', 'ms-products', 'ms-orders', 'ms-email'],
      serviceEnv: {
        LOG_LEVEL: settings.serviceLogLevel,
        PAYMENT_APPROVAL_PROBABILITY: String(settings.paymentApprovalProbability),
        // Sign-up and logins of every consumer come from 127.0.0.1 within seconds.
        REGISTER_RATE_LIMIT_PER_HOUR: '10000',
        // The consumers' tokens, issued during the setup, outlive the whole run (5 minutes by default).
        ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtlSeconds),
      },
      stackEnv: { GATEWAY_TOKEN_RATE: '10000' },
      timeoutMs: 15 * 60_000,
    },
    measure,
  );
  const result: CheckoutBenchResult = {
    machine: { ...machine, postgres, mongo: mongoVersion() },
    ...measured,
  };
  const reports = path.join(REPO_ROOT, 'bench', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(path.join(reports, 'checkout.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(reports, 'checkout.md'), renderCheckoutReport(result));
  const { oversell } = result;
  log(`oversell check: ${oversell.passed ? 'passed' : 'FAILED'}`);
  for (const failure of oversell.failures) log(`  ${failure}`);
  for (const note of oversell.notes) log(`  note: ${note}`);
  log('report: bench/reports/checkout.md');
  if (!oversell.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`[bench:checkout] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
