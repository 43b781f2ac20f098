/**
 * The platform benchmark's load phases on one stack: the product read direct, through the
 * gateway and with a token; password-grant logins; search capacity, then search at half of it
 * in an open loop. Each phase records the cores every stack process kept busy meanwhile.
 */
import os from 'node:os';
import type { StackInfo } from '../scripts/stack/index.js';
import { DEMO_PASSWORD, demoLogin, type DemoTarget } from '../scripts/seed-demo.js';
import { runClosedLoop } from './lib/closed-loop.js';
import { fieldOf, requestJson } from './lib/http-json.js';
import { runHttpLoad } from './lib/http-load.js';
import type { LoadSummary } from './lib/latency.js';
import { machineCoresBusy, machineTicks } from './lib/machine-cpu.js';
import { runOpenLoop, type OpenLoopSummary } from './lib/open-loop.js';
import { coresUsed, cpuTimes } from './lib/process-cpu.js';
import { searchMix, searchPath } from './search-mix.js';
import type { PlatformSettings, ProductReadRun, ReadVariant } from './platform-report.js';

const SERVICE = 'ms-products';
const PRODUCT_IDS = 20;
/** Logins cycle through these demo accounts (all share the demo password). */
const LOGIN_ACCOUNTS = [
  'demo-buyer-acme',
  'demo-buyer-globex',
  'demo-seller-nordwerk',
  'demo-seller-labline',
];

export interface Measured<T> {
  result: T;
  coresUsed: Record<string, number>;
  machineCores: number | null;
}

/** Runs `work` and records where the cores went meanwhile. */
async function withCpu<T>(stack: StackInfo, seconds: (result: T) => number, work: () => Promise<T>) {
  const before = cpuTimes(stack.stateDir);
  const ticksBefore = machineTicks();
  const result = await work();
  return {
    result,
    coresUsed: coresUsed(before, cpuTimes(stack.stateDir), seconds(result)),
    machineCores: machineCoresBusy(ticksBefore, machineTicks(), os.availableParallelism()),
  };
}

function serviceUrl(stack: StackInfo): string {
  const url = stack.urls.services[SERVICE];
  if (url === undefined) throw new Error(`${SERVICE} is not running`);
  return url;
}

/** Ids of published products, as a buyer finds them. */
export async function productIds(gatewayUrl: string, token: string): Promise<string[]> {
  const answer = await requestJson(`${gatewayUrl}/api/products?limit=${PRODUCT_IDS}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const items = fieldOf(answer.body, 'items');
  const ids = (Array.isArray(items) ? items : []).map((item: unknown) => fieldOf(item, 'id'));
  const valid = ids.filter((id): id is string => typeof id === 'string');
  if (answer.status !== 200 || valid.length === 0) throw new Error(`no products to read (${answer.status})`);
  return valid;
}

/** Each round runs the three variants, the order reversed every other round so drift cancels. */
export function variantOrder(round: number): ReadVariant[] {
  const order: ReadVariant[] = ['direct', 'gateway', 'direct with token'];
  return round % 2 === 0 ? order : [...order].reverse();
}

export async function measureProductReads(
  stack: StackInfo,
  target: DemoTarget,
  settings: PlatformSettings,
  log: (message: string) => void,
): Promise<ProductReadRun[]> {
  const token = await demoLogin(target, 'demo-buyer-acme');
  const ids = await productIds(stack.urls.gateway, token);
  const runs: ProductReadRun[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const variant of variantOrder(round)) {
      const headers: Record<string, string> =
        variant === 'direct with token' ? { authorization: `Bearer ${token}` } : {};
      const http = {
        url: variant === 'gateway' ? stack.urls.gateway : serviceUrl(stack),
        connections: settings.connections,
        requests: ids.map((id) => ({ path: `/api/products/${id}`, headers })),
      };
      await runHttpLoad({ ...http, durationSeconds: settings.warmupSeconds });
      const measured = await withCpu(
        stack,
        (load) => load.seconds,
        () => runHttpLoad({ ...http, durationSeconds: settings.durationSeconds }),
      );
      const { result: load } = measured;
      log(
        `product read, ${variant} (round ${round + 1}): ${load.requestsPerSecond} req/s, p50 ${load.latencyMs.p50} ms, ${load.errors} errors`,
      );
      runs.push({
        round: round + 1,
        variant,
        load,
        coresUsed: measured.coresUsed,
        machineCores: measured.machineCores,
      });
    }
  }
  return runs;
}

export async function measureLogins(
  stack: StackInfo,
  target: DemoTarget,
  settings: PlatformSettings,
): Promise<Measured<LoadSummary & { statusCodes: Record<string, number> }>> {
  const basic = Buffer.from(`frontend:${target.frontendSecret}`).toString('base64');
  const statusCodes: Record<string, number> = {};
  const login = async (worker: number, turn: number): Promise<boolean> => {
    const username = LOGIN_ACCOUNTS[(worker + turn) % LOGIN_ACCOUNTS.length] ?? 'demo-buyer-acme';
    const answer = await requestJson(`${stack.urls.gateway}/api/auth/token`, {
      headers: { authorization: `Basic ${basic}` },
      form: { grant_type: 'password', username, password: DEMO_PASSWORD },
      timeoutMs: 30_000,
    });
    statusCodes[String(answer.status)] = (statusCodes[String(answer.status)] ?? 0) + 1;
    return answer.status === 200 && typeof fieldOf(answer.body, 'access_token') === 'string';
  };
  await runClosedLoop({
    workers: settings.loginWorkers,
    durationSeconds: settings.warmupSeconds,
    once: login,
  });
  for (const code of Object.keys(statusCodes)) Reflect.deleteProperty(statusCodes, code);
  const measured = await withCpu(
    stack,
    (load) => load.seconds,
    () =>
      runClosedLoop({ workers: settings.loginWorkers, durationSeconds: settings.loginSeconds, once: login }),
  );
  return { ...measured, result: { ...measured.result, statusCodes } };
}

/** The search bench's mix without its second pages (their cursors would need a first page). */
function searchPaths(sellerId: string): string[] {
  return searchMix(sellerId)
    .filter((entry) => entry.secondPageOf === undefined)
    .map((entry) => searchPath(entry.request));
}

export interface SearchMeasurements {
  paths: string[];
  capacity: Measured<LoadSummary & { statusCodes: Record<string, number> }>;
  openLoop: Measured<OpenLoopSummary>;
}

export async function measureSearch(
  stack: StackInfo,
  target: DemoTarget,
  sellerId: string,
  settings: PlatformSettings,
  log: (message: string) => void,
): Promise<SearchMeasurements> {
  const token = await demoLogin(target, 'demo-buyer-acme');
  const paths = searchPaths(sellerId);
  const headers = { authorization: `Bearer ${token}` };
  const http = {
    url: stack.urls.gateway,
    connections: settings.connections,
    requests: paths.map((requestPath) => ({ path: requestPath, headers })),
  };
  await runHttpLoad({ ...http, durationSeconds: settings.warmupSeconds });
  const capacity = await withCpu(
    stack,
    (load) => load.seconds,
    () => runHttpLoad({ ...http, durationSeconds: settings.durationSeconds }),
  );
  const rate = Math.max(1, capacity.result.requestsPerSecond * settings.openLoopFraction);
  log(`search capacity ${capacity.result.requestsPerSecond} req/s; open loop at ${rate.toFixed(1)} req/s`);
  const search = async (index: number): Promise<boolean> => {
    const response = await fetch(`${stack.urls.gateway}${paths[index % paths.length] ?? '/api/products'}`, {
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer(); // the answer counts once it has fully arrived
    return response.status === 200;
  };
  const openLoop = await withCpu(
    stack,
    (load) => load.seconds,
    () => runOpenLoop({ ratePerSecond: rate, durationSeconds: settings.openLoopSeconds, once: search }),
  );
  return { paths, capacity, openLoop };
}
