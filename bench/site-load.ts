/**
 * One measured target of the site benchmark: a page (or the API behind the search page) at a
 * fixed concurrency through the gateway, with where the CPU went and what the frontend server
 * called the services for meanwhile, and what one request costs with nothing queued.
 */
import { runHttpLoad } from './lib/http-load.js';
import type { LoadSummary } from './lib/latency.js';
import { machineCoresBusy, machineTicks } from './lib/machine-cpu.js';
import { coresUsed, cpuTimes } from './lib/process-cpu.js';
import { SERIAL_RUNS, serialCost, type SerialCost } from './lib/serial.js';

/** serialCost's default warm-up, named: its requests are counted with the calls. */
const SERIAL_WARMUP = 3;

export interface Target {
  label: string;
  path: string;
  headers?: Record<string, string>;
  /** A page the frontend renders (the API is answered by ms-products alone). */
  page: boolean;
}

export interface TargetResult {
  label: string;
  path: string;
  page: boolean;
  load: LoadSummary & { statusCodes: Record<string, number> };
  /** CPU cores each of the stack's processes (and the load generator) kept busy, on average. */
  coresUsed: Record<string, number>;
  /** Cores the whole machine kept busy meanwhile (every process, ours, PostgreSQL and anyone else's). */
  machineCores: number | null;
  /** CPU ms each process spent per request measured (cores × seconds ÷ requests). */
  cpuMsPerRequest: Record<string, number>;
  /** One request at a time, after the load: gateway round trip in ms. */
  serialMs: SerialCost;
  /** One at a time: the frontend server's calls to the services per request, by upstream and route. */
  apiCallsPerRequest: Record<string, number>;
  /** One at a time: ms the frontend server waited on those calls per request (they may overlap). */
  apiMsPerRequest: number | null;
  /** Size of one answer's body in bytes, and its status. */
  bytes: number;
  status: number;
}

export interface LoadRun {
  gatewayUrl: string;
  /** The frontend itself (127.0.0.1), for its /metrics. */
  frontendUrl: string | undefined;
  stateDir: string;
  cpus: number;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

interface CallTotals {
  count: Map<string, number>;
  seconds: number;
}

/** The frontend's outbound-call histogram (http_client_request_duration_seconds) totals. */
async function callTotals(frontendUrl: string | undefined): Promise<CallTotals | null> {
  if (frontendUrl === undefined) return null;
  try {
    const response = await fetch(`${frontendUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const count = new Map<string, number>();
    let seconds = 0;
    for (const line of (await response.text()).split('\n')) {
      const sample = /^http_client_request_duration_seconds_(count|sum)\{([^}]*)\} (\S+)$/.exec(line);
      if (!sample) continue;
      const [, kind, labels = '', value] = sample;
      if (kind === 'sum') {
        seconds += Number(value);
        continue;
      }
      const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '?';
      const key = `${label('upstream')} ${label('method')} ${label('route')}`;
      count.set(key, (count.get(key) ?? 0) + Number(value));
    }
    return { count, seconds };
  } catch {
    return null;
  }
}

function perRequest(
  before: CallTotals | null,
  after: CallTotals | null,
  requests: number,
): Pick<TargetResult, 'apiCallsPerRequest' | 'apiMsPerRequest'> {
  if (before === null || after === null || requests === 0)
    return { apiCallsPerRequest: {}, apiMsPerRequest: null };
  const calls: Record<string, number> = {};
  for (const [key, total] of after.count) {
    const made = total - (before.count.get(key) ?? 0);
    if (made > 0) calls[key] = Math.round((made / requests) * 100) / 100;
  }
  const ms = ((after.seconds - before.seconds) * 1000) / requests;
  return { apiCallsPerRequest: calls, apiMsPerRequest: Math.round(ms * 100) / 100 };
}

async function fetchOnce(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number }> {
  const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const body = await response.arrayBuffer();
  return { status: response.status, bytes: body.byteLength };
}

export async function measureTarget(run: LoadRun, target: Target): Promise<TargetResult> {
  const headers = { accept: target.page ? 'text/html' : 'application/json', ...target.headers };
  const url = `${run.gatewayUrl}${target.path}`;
  const once = await fetchOnce(url, headers);
  if (once.status !== 200) throw new Error(`GET ${target.path}: ${once.status}, not 200: nothing to measure`);
  const http = {
    url: run.gatewayUrl,
    connections: run.connections,
    requests: [{ path: target.path, headers }],
  };
  await runHttpLoad({ ...http, durationSeconds: run.warmupSeconds });
  const cpuBefore = cpuTimes(run.stateDir);
  const ticksBefore = machineTicks();
  const load = await runHttpLoad({ ...http, durationSeconds: run.durationSeconds });
  const cores = coresUsed(cpuBefore, cpuTimes(run.stateDir), load.seconds);
  const machine = machineCoresBusy(ticksBefore, machineTicks(), run.cpus);
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(cores).map(([name, used]) => [
      name,
      Math.round(((used * load.seconds * 1000) / Math.max(1, load.requests)) * 100) / 100,
    ]),
  );
  // Counted one request at a time, so no request of the load is still in flight.
  const callsBefore = await callTotals(run.frontendUrl);
  const serialMs = await serialCost(
    async () => {
      const answer = await fetchOnce(url, headers);
      if (answer.status !== 200) throw new Error(`GET ${target.path}: ${answer.status}`);
    },
    SERIAL_RUNS,
    SERIAL_WARMUP,
  );
  const callsAfter = await callTotals(run.frontendUrl);
  return {
    label: target.label,
    path: target.path,
    page: target.page,
    load,
    coresUsed: cores,
    machineCores: machine,
    cpuMsPerRequest,
    serialMs,
    ...perRequest(callsBefore, callsAfter, SERIAL_RUNS + SERIAL_WARMUP),
    ...once,
  };
}
