/** The platform benchmark's result: its shape, the ratios and targets, and the figures it publishes. */
import type { BcryptLimit } from './lib/bcrypt-limit.js';
import type { LoadSummary } from './lib/latency.js';
import type { MachineInfo } from './lib/machine.js';
import { median, round, type Measurement } from './lib/measurement.js';
import type { MemoryReading } from './lib/memory.js';
import type { OpenLoopSummary } from './lib/open-loop.js';
import { causes } from './platform-causes.js';
import { TARGETS } from './platform-targets.js';
import type { WarmStart } from './platform-startup.js';

export { TARGETS } from './platform-targets.js';

/** The product read: on ms-products' own port without a token, through HAProxy, and direct with one. */
export type ReadVariant = 'direct' | 'gateway' | 'direct with token';

export interface PlatformSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
  loginWorkers: number;
  loginSeconds: number;
  openLoopFraction: number;
  openLoopSeconds: number;
  products: number;
  seed: number;
  serviceLogLevel: string;
  gatewayTokenRate: string;
  accessTokenTtlSeconds: number;
  /** True when any of the above differs from the defaults (a shortened or experimental run). */
  nonDefault: boolean;
}

export interface ProductReadRun {
  round: number;
  variant: ReadVariant;
  load: LoadSummary & { statusCodes: Record<string, number> };
  coresUsed: Record<string, number>;
  machineCores: number | null;
}

export interface VariantSummary {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms per request in ms-products and in HAProxy (medians over the rounds). */
  serviceCpuMs: number;
  gatewayCpuMs: number;
}

export interface PlatformBenchResult {
  machine: MachineInfo & { postgres: string; loadAverageAfter: number[] };
  settings: PlatformSettings;
  productReads: { runs: ProductReadRun[]; median: Record<ReadVariant, VariantSummary> };
  gateway: { ratio: number; addedP50Ms: number };
  token: { ratio: number; addedP50Ms: number };
  login: {
    load: LoadSummary & { statusCodes: Record<string, number> };
    coresUsed: Record<string, number>;
    machineCores: number | null;
    bcrypt: BcryptLimit;
    ratio: number;
  };
  search: {
    paths: string[];
    capacity: LoadSummary & { statusCodes: Record<string, number> };
    capacityCores: Record<string, number>;
    openLoop: OpenLoopSummary;
    openLoopCores: Record<string, number>;
    openLoopMachineCores: number | null;
  };
  memory: { idle: MemoryReading; underLoad: MemoryReading; services: string[] };
  startup: WarmStart | null;
  measurements: Measurement[];
}

export type PlatformMeasured = Omit<
  PlatformBenchResult,
  'machine' | 'measurements' | 'productReads' | 'gateway' | 'token'
> & {
  productReads: { runs: ProductReadRun[] };
};

const cpuMs = (run: ProductReadRun, process: string) =>
  ((run.coresUsed[process] ?? 0) * 1000) / Math.max(1, run.load.requestsPerSecond);

function summarizeVariant(runs: ProductReadRun[]): VariantSummary {
  return {
    requestsPerSecond: round(median(runs.map((r) => r.load.requestsPerSecond)), 1),
    p50Ms: round(median(runs.map((r) => r.load.latencyMs.p50))),
    p99Ms: round(median(runs.map((r) => r.load.latencyMs.p99))),
    serviceCpuMs: round(median(runs.map((r) => cpuMs(r, 'ms-products'))), 3),
    gatewayCpuMs: round(median(runs.map((r) => cpuMs(r, 'gateway'))), 3),
  };
}

/** The ratios from the runs, then every figure with its target and, where missed, why. */
export function evaluate(
  machine: PlatformBenchResult['machine'],
  measured: PlatformMeasured,
): PlatformBenchResult {
  const { runs } = measured.productReads;
  const of = (variant: ReadVariant) => summarizeVariant(runs.filter((r) => r.variant === variant));
  const summary = {
    direct: of('direct'),
    gateway: of('gateway'),
    'direct with token': of('direct with token'),
  };
  const result: PlatformBenchResult = {
    machine,
    ...measured,
    productReads: { runs, median: summary },
    gateway: {
      ratio: round(summary.gateway.requestsPerSecond / summary.direct.requestsPerSecond, 3),
      addedP50Ms: round(summary.gateway.p50Ms - summary.direct.p50Ms),
    },
    token: {
      ratio: round(summary['direct with token'].requestsPerSecond / summary.direct.requestsPerSecond, 3),
      addedP50Ms: round(summary['direct with token'].p50Ms - summary.direct.p50Ms),
    },
    measurements: [],
  };
  result.measurements = measurementsOf(result);
  return result;
}

const serviceNames = (memory: PlatformBenchResult['memory']) =>
  memory.services.filter((name) => name in memory.underLoad);

function measurementsOf(result: PlatformBenchResult): Measurement[] {
  const why = causes(result);
  const readErrors = result.productReads.runs.some((r) => r.load.errors > 0);
  const { openLoop } = result.search;
  const entries: Measurement[] = [
    {
      name: 'gateway ÷ direct, GET /api/products/{id} requests/s',
      value: String(result.gateway.ratio),
      target: `≥ ${TARGETS.gatewayRatio}`,
      met: !readErrors && result.gateway.ratio >= TARGETS.gatewayRatio,
      cause: why.gateway,
    },
    {
      name: 'gateway: added p50',
      value: `${result.gateway.addedP50Ms} ms`,
      target: null,
      met: null,
      cause: null,
    },
    {
      name: 'with ÷ without a verified bearer token, requests/s',
      value: String(result.token.ratio),
      target: `≥ ${TARGETS.tokenRatio}`,
      met: !readErrors && result.token.ratio >= TARGETS.tokenRatio,
      cause: why.token,
    },
    {
      name: 'logins/s ÷ bcrypt limit (cores ÷ one compare)',
      value: `${result.login.ratio} (${result.login.load.requestsPerSecond} of ${result.login.bcrypt.loginsPerSecond}/s)`,
      target: `≥ ${TARGETS.loginRatio}`,
      met: result.login.load.errors === 0 && result.login.ratio >= TARGETS.loginRatio,
      cause: why.login,
    },
    {
      name: `search p99 in an open loop at ${openLoop.offeredPerSecond}/s (half the capacity)`,
      value: `${openLoop.latencyMs.p99} ms (p50 ${openLoop.latencyMs.p50}, p95 ${openLoop.latencyMs.p95})`,
      target: `< ${TARGETS.searchP99Ms} ms`,
      met: openLoop.errors === 0 && openLoop.latencyMs.p99 < TARGETS.searchP99Ms,
      cause: why.search,
    },
  ];
  for (const name of serviceNames(result.memory)) {
    const peak = result.memory.underLoad[name] ?? 0;
    entries.push({
      name: `${name} RSS under load (idle ${result.memory.idle[name] ?? '–'} MiB)`,
      value: `${peak} MiB`,
      target: `< ${TARGETS.serviceRssMiB} MiB`,
      met: peak < TARGETS.serviceRssMiB,
      cause: why.memory(name),
    });
  }
  if (result.startup !== null) {
    entries.push({
      name: 'warm `npm start` (startStack, second start, every service ready)',
      value: `${result.startup.warmSeconds} s`,
      target: null,
      met: null,
      cause: null,
    });
  }
  // A cause belongs to a missed target only.
  return entries.map((entry) => (entry.met === false ? entry : { ...entry, cause: null }));
}
