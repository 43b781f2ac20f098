/**
 * npm run bench -- platform
 *
 * What the platform costs, in one run on one isolated stack: the gateway (GET /api/products/{id}
 * through HAProxy vs on ms-products' own port), bearer-token verification on that route (its
 * auth is optional; a token sent is verified), password-grant logins against the bcrypt limit
 * measured in the same run, search latency in an open loop at half the search capacity measured
 * in the same run, every process's resident memory idle and under load, and the warm start of
 * the whole stack. Writes bench/reports/platform.md and platform.json. Settings (for trying
 * things out; the committed report uses the defaults): BENCH_CONNECTIONS, BENCH_WARMUP_S,
 * BENCH_DURATION_S, BENCH_ROUNDS, BENCH_LOGIN_WORKERS, BENCH_LOGIN_S, BENCH_OPEN_LOOP_S,
 * BENCH_PRODUCTS, BENCH_LOG_LEVEL, BENCH_WARM_START=off.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, type StackInfo } from '../scripts/stack/index.js';
import { DEMO_SEED, demoTargetOf, seedDemo } from '../scripts/seed-demo.js';
import { withBenchStack } from './lib/bench-stack.js';
import { measureBcryptLimit, usersBcryptCost } from './lib/bcrypt-limit.js';
import { machineInfo } from './lib/machine.js';
import { round } from './lib/measurement.js';
import { memoryOf, sampleMemory } from './lib/memory.js';
import { postgresVersion } from './lib/pg-version.js';
import { integerSetting } from './lib/settings.js';
import { measureLogins, measureProductReads, measureSearch } from './platform-load.js';
import { renderPlatformReport } from './platform-markdown.js';
import { evaluate, type PlatformMeasured, type PlatformSettings } from './platform-report.js';
import { measureWarmStart } from './platform-startup.js';

const SERVICES = ['ms-auth', 'ms-users', 'ms-products'];
const ACCESS_TOKEN_TTL_SECONDS = 1_800;
/** Logins per client IP per 10 s the gateway allows for the run: far above what bcrypt permits. */
const GATEWAY_TOKEN_RATE = '100000';

const DEFAULTS = {
  connections: 16,
  warmupSeconds: 3,
  durationSeconds: 10,
  rounds: 2,
  loginWorkers: 2 * os.availableParallelism(),
  loginSeconds: 15,
  openLoopSeconds: 20,
  products: 10_000,
} as const;

const chosen = {
  connections: integerSetting('BENCH_CONNECTIONS', DEFAULTS.connections, 256),
  warmupSeconds: integerSetting('BENCH_WARMUP_S', DEFAULTS.warmupSeconds, 60),
  durationSeconds: integerSetting('BENCH_DURATION_S', DEFAULTS.durationSeconds, 120),
  rounds: integerSetting('BENCH_ROUNDS', DEFAULTS.rounds, 10),
  loginWorkers: integerSetting('BENCH_LOGIN_WORKERS', DEFAULTS.loginWorkers, 64),
  loginSeconds: integerSetting('BENCH_LOGIN_S', DEFAULTS.loginSeconds, 120),
  openLoopSeconds: integerSetting('BENCH_OPEN_LOOP_S', DEFAULTS.openLoopSeconds, 120),
  products: integerSetting('BENCH_PRODUCTS', DEFAULTS.products, 10_000),
};
const serviceLogLevel = process.env['BENCH_LOG_LEVEL'] ?? 'info';
const warmStart = process.env['BENCH_WARM_START'] !== 'off';

const settings: PlatformSettings = {
  ...chosen,
  openLoopFraction: 0.5,
  seed: DEMO_SEED,
  serviceLogLevel,
  gatewayTokenRate: GATEWAY_TOKEN_RATE,
  accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
  nonDefault:
    Object.entries(chosen).some(([name, value]) => Reflect.get(DEFAULTS, name) !== value) ||
    serviceLogLevel !== 'info' ||
    !warmStart,
};

const log = (message: string) => console.log(`[bench:platform] ${message}`);

const serviceEnv = {
  LOG_LEVEL: settings.serviceLogLevel,
  ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
  // ms-auth's own limits behind the gateway's (600 a minute per IP by default) would cap the
  // login phase below bcrypt's limit on a faster machine: raised for the run like the gateway's.
  TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
  TOKEN_RATE_LIMIT_PER_CLIENT_PER_MINUTE: '100000',
};

async function measure(stack: StackInfo): Promise<Omit<PlatformMeasured, 'startup'> & { postgres: string }> {
  const target = demoTargetOf(stack);
  const seeded = await seedDemo(target, { products: settings.products });
  log(`seeded ${seeded.products} products (${seeded.inserted} new)`);
  const seller = seeded.accounts.find((account) => account.role === 'seller');
  if (!seller) throw new Error('no demo seller');
  await sleep(3_000); // the seed's requests settle before the idle reading
  const idle = memoryOf(stack.stateDir);
  const bcrypt = await measureBcryptLimit(usersBcryptCost(stack.serviceEnv['ms-users']));
  log(
    `bcrypt cost ${bcrypt.cost}: ${bcrypt.compareMs} ms a compare, limit ${bcrypt.loginsPerSecond} logins/s`,
  );
  const sampler = sampleMemory(stack.stateDir);
  try {
    const runs = await measureProductReads(stack, target, settings, log);
    const logins = await measureLogins(stack, target, settings);
    log(`logins: ${logins.result.requestsPerSecond}/s, ${logins.result.errors} errors`);
    const search = await measureSearch(stack, target, seller.id, settings, log);
    const { openLoop } = search;
    log(`open loop: p50 ${openLoop.result.latencyMs.p50} ms, p99 ${openLoop.result.latencyMs.p99} ms`);
    const underLoad = sampler.stop();
    return {
      postgres: await postgresVersion(target.postgresUrl),
      settings,
      productReads: { runs },
      login: {
        load: logins.result,
        coresUsed: logins.coresUsed,
        machineCores: logins.machineCores,
        bcrypt,
        ratio: round(logins.result.requestsPerSecond / bcrypt.loginsPerSecond, 3),
      },
      search: {
        paths: search.paths,
        capacity: search.capacity.result,
        capacityCores: search.capacity.coresUsed,
        openLoop: openLoop.result,
        openLoopCores: openLoop.coresUsed,
        openLoopMachineCores: openLoop.machineCores,
      },
      memory: { idle, underLoad, services: SERVICES },
    };
  } finally {
    sampler.stop();
  }
}

async function main(): Promise<void> {
  const machine = machineInfo(REPO_ROOT);
  const { postgres, ...measured } = await withBenchStack(
    {
      name: 'platform',
      services: SERVICES,
      serviceEnv,
      stackEnv: { GATEWAY_TOKEN_RATE },
      timeoutMs: 15 * 60_000,
    },
    measure,
  );
  let startup = null;
  if (warmStart) {
    log('warm start: every service, started twice on a fresh state dir, the second start timed');
    startup = await measureWarmStart({ LOG_LEVEL: settings.serviceLogLevel });
    log(`warm start ${startup.warmSeconds} s (first start ${startup.firstSeconds} s)`);
  }
  const loadAverageAfter = os.loadavg().map((value) => round(value));
  const result = evaluate({ ...machine, postgres, loadAverageAfter }, { ...measured, startup });
  const reports = path.join(REPO_ROOT, 'bench', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(path.join(reports, 'platform.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(reports, 'platform.md'), renderPlatformReport(result));
  for (const entry of result.measurements) {
    const verdict = entry.met === null ? '' : entry.met ? ' — met' : ' — MISSED';
    log(`${entry.name}: ${entry.value}${entry.target === null ? '' : ` (target ${entry.target})`}${verdict}`);
  }
  log('report: bench/reports/platform.md');
}

main().catch((error: unknown) => {
  console.error(`[bench:platform] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
