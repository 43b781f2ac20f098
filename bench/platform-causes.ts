/**
 * Why a platform target was missed, from the run's own numbers (CPU per request, cores busy,
 * answers): the report states the cause next to the figure, never just "not met".
 */
import { round } from './lib/measurement.js';
import type { PlatformBenchResult } from './platform-report.js';
import { TARGETS } from './platform-targets.js';

export interface Causes {
  gateway: string;
  token: string;
  login: string;
  search: string;
  memory: (service: string) => string;
}

const cores = (used: Record<string, number>, name: string) => round(used[name] ?? 0);

/** A sentence on other work on the machine, or '' when it was quiet. */
export function busyNote(result: Pick<PlatformBenchResult, 'machine'>): string {
  const { machine } = result;
  const highest = Math.max(machine.loadAverage[0] ?? 0, machine.loadAverageAfter[0] ?? 0);
  if (highest <= machine.cpus / 2) return '';
  return ` Measured with other work on the machine: 1-minute load average ${machine.loadAverage[0]} at the start and ${machine.loadAverageAfter[0]} at the end on ${machine.cpus} cores, so every process here got less CPU than it would alone.`;
}

function errorNote(statusCodes: Record<string, number>, errors: number): string {
  if (errors === 0) return '';
  const codes = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${code} × ${count}`);
  return ` ${errors} requests failed (${codes.join(', ') || 'no answer'}), which fails the target by itself.`;
}

/** Cores busy outside the stack's own processes and the load generator (PostgreSQL, others' work). */
function outside(used: Record<string, number>, machineCores: number | null): string {
  if (machineCores === null) return '–';
  const ours = Object.values(used).reduce((sum, value) => sum + value, 0);
  return String(round(Math.max(0, machineCores - ours)));
}

export function causes(result: PlatformBenchResult): Causes {
  const { median: m, runs } = result.productReads;
  const { cpus } = result.machine;
  const busy = busyNote(result);
  const gatewayRun = runs.find((r) => r.variant === 'gateway');
  const directRun = runs.find((r) => r.variant === 'direct');
  const { login, search, memory } = result;
  const usersCpuPerLogin = round(
    ((login.coresUsed['ms-users'] ?? 0) * 1000) / Math.max(0.001, login.load.requestsPerSecond),
  );
  const services = memory.services.filter((name) => name in memory.underLoad);
  const growth = (name: string) => (memory.underLoad[name] ?? 0) - (memory.idle[name] ?? 0);
  // A service that grew by more than a few tens of MiB under load is worth a look of its own.
  const grower = [...services].sort((a, b) => growth(b) - growth(a)).find((name) => growth(name) > 30);
  const everyIdle = Object.entries({ ...result.startup?.idleMemory, ...memory.idle })
    .filter(([name]) => name.startsWith('ms-') || name === 'frontend')
    .map(([name, mib]) => `${name} ${mib}`);
  return {
    gateway: `Through HAProxy the route cost ${m.gateway.gatewayCpuMs} CPU ms per request in HAProxy besides ${m.gateway.serviceCpuMs} ms in ms-products (${m.direct.serviceCpuMs} ms called directly): the route is so cheap that one more process handling every request and its answer is a sizeable part of its cost, and on ${cpus} cores HAProxy's CPU comes out of what ms-products would otherwise use. ms-products got only ${gatewayRun ? cores(gatewayRun.coresUsed, 'ms-products') : '–'} cores through the gateway (${directRun ? cores(directRun.coresUsed, 'ms-products') : '–'} directly) while ${gatewayRun ? outside(gatewayRun.coresUsed, gatewayRun.machineCores) : '–'} of the ${cpus} cores were busy outside the stack's processes (PostgreSQL and others' work): per run (${runs
      .filter((r) => r.variant !== 'direct with token')
      .map((r) => `${r.variant} ${r.load.requestsPerSecond}`)
      .join(
        ', ',
      )} requests/s) the numbers move with that contention, so it is part of the shortfall.${errorNote(gatewayRun?.load.statusCodes ?? {}, gatewayRun?.load.errors ?? 0)}${busy}`,
    token: `With a token ms-products verifies it on every request (the signature checked against the cached JWKS, issuer, audience and expiry, then the principal built from the claims): ${m['direct with token'].serviceCpuMs} CPU ms per request against ${m.direct.serviceCpuMs} ms without one, so even with the cores to itself the route could keep only about ${round(m.direct.serviceCpuMs / Math.max(0.001, m['direct with token'].serviceCpuMs))} of its anonymous throughput. The route does little else (one indexed read), so what the token adds (its verification, and the signed-in viewer it makes) is a large part of the request; reaching ${TARGETS.tokenRatio} needs a cheaper verification (e.g. caching verified tokens by their signature for their lifetime).${busy}`,
    login: `ms-users spent ${usersCpuPerLogin} CPU ms per login, about one bcrypt compare (${login.bcrypt.compareMs} ms at cost ${login.bcrypt.cost}, measured in this process before the load phases): the logins were bounded by bcrypt, but ms-users got only ${cores(login.coresUsed, 'ms-users')} of the ${login.bcrypt.cores} cores the limit counts, while ${outside(login.coresUsed, login.machineCores)} cores were busy outside the stack's processes (the whole machine ${login.machineCores ?? '–'}) and Zipkin ${cores(login.coresUsed, 'zipkin')}. The shortfall is CPU the machine's other work took, not a cost of the login path beyond the hash.${errorNote(login.load.statusCodes, login.load.errors)}${busy}`,
    search: `At ${search.openLoop.offeredPerSecond} searches/s offered (half the ${search.capacity.requestsPerSecond}/s measured closed-loop at ${result.settings.connections} connections) the p50 was ${search.openLoop.latencyMs.p50} ms and the p99 ${search.openLoop.latencyMs.p99} ms, with up to ${search.openLoop.maxInFlight} searches in flight. A search of the ${result.settings.products.toLocaleString('en-US')}-product catalogue is CPU work in ms-products (${cores(search.openLoopCores, 'ms-products')} cores busy) and PostgreSQL; the whole machine kept ${search.openLoopMachineCores ?? '–'} of ${cpus} cores busy, ${outside(search.openLoopCores, search.openLoopMachineCores)} of them outside the stack's processes (PostgreSQL's searches and others' work), so "half the capacity" was not half the machine, searches queued behind each other, and the tail is several searches' time. The generator itself sent late by p99 ${search.openLoop.sendLagMs.p99} ms, which those latencies include (they are timed from the intended send time): another sign of a CPU-starved machine.${errorNote({}, search.openLoop.errors)}${busy}`,
    memory: (service) =>
      `${service} peaked at ${memory.underLoad[service] ?? '–'} MiB resident under load, ${memory.idle[service] ?? '–'} MiB idle: already over ${TARGETS.serviceRssMiB} MiB before any load, as is every Node service of the stack idle (${everyIdle.join(', ')} MiB). Each runs its TypeScript through tsx (\`node --import tsx\`, compiler and sources in memory) with the OpenTelemetry SDK and its instrumentations loaded; under load they grew${services.length > 0 ? ` (${services.map((name) => `${name} +${round(growth(name), 1)}`).join(', ')} MiB)` : ''}. Getting under ${TARGETS.serviceRssMiB} MiB needs a leaner baseline per process (e.g. the services run from compiled JavaScript)${grower === undefined ? '' : `, and a look at what ${grower} holds on to under load`}.`,
  };
}
