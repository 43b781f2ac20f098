/**
 * npm run bench -- overhead
 *
 * What tracing costs one route: GET /api/products/{id} on ms-products, called directly (not
 * through the gateway), with the OpenTelemetry SDK on (the stack's default: every request
 * traced, every span exported in batches to the stack's Zipkin) and off (OTEL_SDK_DISABLED=true),
 * in rounds on one stack, ms-products restarted with the other setting before each round.
 * Writes bench/reports/overhead.md and overhead.json. Settings (for trying things out; the
 * committed report uses the defaults): BENCH_CONNECTIONS, BENCH_WARMUP_S, BENCH_DURATION_S,
 * BENCH_ROUNDS, BENCH_PRODUCTS, BENCH_LOG_LEVEL, BENCH_UNEXPORTED=off (skips the two diagnostic
 * rounds at the end with spans made but not exported).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, startService, stopService, type StackInfo } from '../scripts/stack/index.js';
import { DEMO_SEED, demoLogin, demoTargetOf, seedDemo, type DemoTarget } from '../scripts/seed-demo.js';
import { withBenchStack } from './lib/bench-stack.js';
import { fieldOf, requestJson } from './lib/http-json.js';
import { runHttpLoad } from './lib/http-load.js';
import { machineCoresBusy, machineTicks } from './lib/machine-cpu.js';
import { machineInfo } from './lib/machine.js';
import { coresUsed, cpuTimes } from './lib/process-cpu.js';
import { integerSetting } from './lib/settings.js';
import { zipkinSampleTrace, zipkinServices, zipkinSpansReceived } from './lib/zipkin-stats.js';
import {
  evaluate,
  renderOverheadReport,
  roundModes,
  type OverheadBenchResult,
  type OverheadRound,
  type TelemetryMode,
} from './overhead-report.js';
import { postgresVersion } from './lib/pg-version.js';

const SERVICE = 'ms-products';
const ROUTE = '/api/products/:id';
const PRODUCT_IDS = 20;

const settings: OverheadBenchResult['settings'] = {
  connections: integerSetting('BENCH_CONNECTIONS', 16, 256),
  warmupSeconds: integerSetting('BENCH_WARMUP_S', 5, 60),
  // Every round logs in afresh: a round stays well inside the access token's 5 minutes.
  durationSeconds: integerSetting('BENCH_DURATION_S', 15, 120),
  rounds: integerSetting('BENCH_ROUNDS', 6, 20),
  // Diagnostic, not part of the ratio: spans made but not exported, to split the cost.
  unexportedRounds: process.env['BENCH_UNEXPORTED'] === 'off' ? 0 : 2,
  products: integerSetting('BENCH_PRODUCTS', 200, 10_000),
  seed: DEMO_SEED,
  serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
};

// "On" is the stack's default; any of these in this process's environment would reach the
// services and change what "on" means (another exporter, a sampler, tracing off altogether).
const OTEL_OVERRIDES = [
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_BSP_SCHEDULE_DELAY',
];

const log = (message: string) => console.log(`[bench:overhead] ${message}`);

const serviceEnv = { LOG_LEVEL: settings.serviceLogLevel };

/** Explicit every way, so "on" does not depend on what this process's environment lacks. */
function envFor(mode: TelemetryMode): Record<string, string> {
  if (mode === 'off') return { OTEL_SDK_DISABLED: 'true' };
  // The stack's tracingEnv gives every service an exporter; this overrides it for one service.
  if (mode === 'unexported') return { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'none' };
  return { OTEL_SDK_DISABLED: 'false' };
}

async function restartService(stack: StackInfo, mode: TelemetryMode): Promise<number> {
  const started = performance.now();
  const control = {
    stateDir: stack.stateDir,
    serviceEnv,
    envByService: { [SERVICE]: envFor(mode) },
    readyTimeoutMs: 90_000,
    log: () => undefined,
  };
  await stopService(SERVICE, control);
  await startService(SERVICE, control);
  return Math.round((performance.now() - started) / 100) / 10;
}

/** Ids of published products, read from the service itself (a consumer sees only those). */
async function productIds(serviceUrl: string, token: string): Promise<string[]> {
  const answer = await requestJson(`${serviceUrl}/api/products?limit=${PRODUCT_IDS}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const items = fieldOf(answer.body, 'items');
  const ids = (Array.isArray(items) ? items : []).map((item: unknown) => fieldOf(item, 'id'));
  const valid = ids.filter((id): id is string => typeof id === 'string');
  if (answer.status !== 200 || valid.length === 0) throw new Error(`no products to read (${answer.status})`);
  return valid;
}

/** Zipkin's span counter once it stops moving: the last batches are exported ~1 s after the load. */
async function settledSpanCount(zipkinUrl: string): Promise<number> {
  let previous = await zipkinSpansReceived(zipkinUrl);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await sleep(1_500);
    const now = await zipkinSpansReceived(zipkinUrl);
    if (now === previous) return now;
    previous = now;
  }
  return previous;
}

/** Successful and attempted Prometheus scrapes of the service over the last `seconds`. */
async function scrapesOver(
  prometheusUrl: string,
  seconds: number,
): Promise<{ up: number; attempted: number }> {
  const value = async (query: string): Promise<number> => {
    const answer = await requestJson(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query })}`);
    const result = fieldOf(fieldOf(answer.body, 'data'), 'result');
    const sample = fieldOf(Array.isArray(result) ? result[0] : undefined, 'value');
    return Array.isArray(sample) ? Number(sample[1]) : 0;
  };
  const selector = `up{job="${SERVICE}"}[${seconds}s]`;
  return {
    up: await value(`sum_over_time(${selector})`),
    attempted: await value(`count_over_time(${selector})`),
  };
}

async function measureRound(
  stack: StackInfo,
  target: DemoTarget,
  index: number,
  mode: TelemetryMode,
): Promise<OverheadRound> {
  const restartSeconds = await restartService(stack, mode);
  const serviceUrl = stack.urls.services[SERVICE];
  if (serviceUrl === undefined) throw new Error(`${SERVICE} is not running`);
  const token = await demoLogin(target, 'demo-buyer-acme');
  const ids = await productIds(serviceUrl, token);
  const http = {
    url: serviceUrl,
    connections: settings.connections,
    requests: ids.map((id) => ({
      path: `/api/products/${id}`,
      headers: { authorization: `Bearer ${token}` },
    })),
  };
  // The login's own spans (ms-auth, ms-users) arrive a batch delay later: not this round's.
  const spansBefore = await settledSpanCount(stack.urls.zipkin);
  const started = performance.now();
  const warmup = await runHttpLoad({ ...http, durationSeconds: settings.warmupSeconds });
  const cpuBefore = cpuTimes(stack.stateDir);
  const ticksBefore = machineTicks();
  const load = await runHttpLoad({ ...http, durationSeconds: settings.durationSeconds });
  const cores = coresUsed(cpuBefore, cpuTimes(stack.stateDir), load.seconds);
  const machineCores = machineCoresBusy(ticksBefore, machineTicks(), os.availableParallelism());
  const scrapes = await scrapesOver(stack.urls.prometheus, Math.ceil((performance.now() - started) / 1000));
  const spansReceived = (await settledSpanCount(stack.urls.zipkin)) - spansBefore;
  const requestsSent = warmup.requests + warmup.errors + load.requests + load.errors;
  const serviceCores = cores[SERVICE] ?? 0;
  const round: OverheadRound = {
    index,
    mode,
    restartSeconds,
    warmupRequests: warmup.requests,
    load,
    coresUsed: cores,
    machineCores,
    serviceCpuMsPerRequest:
      Math.round(((serviceCores * load.seconds * 1000) / Math.max(1, load.requests)) * 1000) / 1000,
    spansReceived,
    spansPerRequest: Math.round((spansReceived / Math.max(1, requestsSent)) * 100) / 100,
    scrapes,
  };
  log(
    `round ${index} (${mode}): ${load.requestsPerSecond} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ${load.errors} errors, ${spansReceived} spans to Zipkin, ${SERVICE} ${serviceCores} cores`,
  );
  return round;
}

async function measure(
  stack: StackInfo,
): Promise<Omit<OverheadBenchResult, 'machine'> & { postgres: string }> {
  const target = demoTargetOf(stack);
  const seeded = await seedDemo(target, { products: settings.products });
  log(`seeded ${seeded.products} products (${seeded.inserted} new)`);
  const rounds: OverheadRound[] = [];
  const modes = roundModes(settings.rounds, settings.unexportedRounds);
  for (const [index, mode] of modes.entries()) {
    log(`round ${index + 1}/${modes.length}: tracing ${mode}, restarting ${SERVICE}`);
    rounds.push(await measureRound(stack, target, index + 1, mode));
  }
  // ms-products runs with tracing on again for the sample: the last round may not have been "on".
  if (rounds.at(-1)?.mode !== 'on') await restartService(stack, 'on');
  const serviceUrl = stack.urls.services[SERVICE] ?? '';
  const token = await demoLogin(target, 'demo-buyer-acme');
  const [sampleId] = await productIds(serviceUrl, token);
  await requestJson(`${serviceUrl}/api/products/${sampleId ?? ''}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await settledSpanCount(stack.urls.zipkin);
  return {
    postgres: await postgresVersion(target.postgresUrl),
    settings,
    route: { service: SERVICE, method: 'GET', template: ROUTE, products: PRODUCT_IDS },
    zipkin: {
      services: await zipkinServices(stack.urls.zipkin),
      sampleTrace: await zipkinSampleTrace(stack.urls.zipkin, SERVICE, ROUTE),
    },
    rounds,
    ...evaluate(rounds),
  };
}

async function main(): Promise<void> {
  const inherited = OTEL_OVERRIDES.filter((name) => (process.env[name] ?? '') !== '');
  if (inherited.length > 0) {
    throw new Error(
      `unset ${inherited.join(', ')}: the benchmark compares the stack's default tracing with none`,
    );
  }
  const machine = machineInfo(REPO_ROOT);
  const { postgres, ...measured } = await withBenchStack(
    {
      name: 'overhead',
      services: ['ms-auth', 'ms-users', SERVICE],
      serviceEnv,
      timeoutMs: 12 * 60_000,
    },
    measure,
  );
  const loadAverageAfter = os.loadavg().map((value) => Math.round(value * 100) / 100);
  const result: OverheadBenchResult = { machine: { ...machine, postgres, loadAverageAfter }, ...measured };
  const reports = path.join(REPO_ROOT, 'bench', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(path.join(reports, 'overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(reports, 'overhead.md'), renderOverheadReport(result));
  log(
    `ratio on ÷ off ${result.ratio} (target ≥ 0.85: ${result.targets.ratioMet ? 'met' : 'not met'}); report: bench/reports/overhead.md`,
  );
}

main().catch((error: unknown) => {
  console.error(`[bench:overhead] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
