/** The tracing overhead benchmark's report: Markdown for people, JSON with the same numbers. */
import type { LoadSummary } from './lib/latency.js';
import type { MachineInfo } from './lib/machine.js';
import type { ZipkinSpan } from './lib/zipkin-stats.js';

export const TARGETS = { minRatio: 0.85 } as const;

/** `unexported`: the SDK on, spans made, but no exporter (OTEL_TRACES_EXPORTER=none); a diagnostic. */
export type TelemetryMode = 'on' | 'off' | 'unexported';

export interface OverheadRound {
  index: number;
  mode: TelemetryMode;
  /** Stopping ms-products and starting it again with this round's setting, until /readyz. */
  restartSeconds: number;
  warmupRequests: number;
  load: LoadSummary & { statusCodes: Record<string, number> };
  /** Cores each of the stack's processes (and the load generator) kept busy while measuring. */
  coresUsed: Record<string, number>;
  /** Cores the whole machine kept busy meanwhile (anyone's processes). */
  machineCores: number | null;
  /** CPU ms ms-products spent per measured request. */
  serviceCpuMsPerRequest: number;
  /** Spans Zipkin's collector accepted from warm-up start until the exports settled. */
  spansReceived: number;
  spansPerRequest: number;
  /** Prometheus' scrapes of ms-products during the round: successful and attempted. */
  scrapes: { up: number; attempted: number };
}

export interface ModeSummary {
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serviceCpuMsPerRequest: number;
}

export interface OverheadBenchResult {
  machine: MachineInfo & { postgres: string; loadAverageAfter: number[] };
  settings: {
    connections: number;
    warmupSeconds: number;
    durationSeconds: number;
    rounds: number;
    unexportedRounds: number;
    products: number;
    seed: number;
    serviceLogLevel: string;
  };
  route: { service: string; method: string; template: string; products: number };
  zipkin: { services: string[]; sampleTrace: ZipkinSpan[] | null };
  rounds: OverheadRound[];
  median: Record<'on' | 'off', ModeSummary> & { unexported?: ModeSummary };
  /** Median requests/s with tracing on ÷ median with it off. */
  ratio: number;
  /** on ÷ off within each pair of neighbouring rounds. */
  pairRatios: number[];
  targets: { ratioMet: boolean };
}

/**
 * Pairs of rounds in alternating order (on, off, off, on, on, off …): a steady drift in the
 * machine's load cancels out. The diagnostic rounds come after them, outside the comparison.
 */
export function roundModes(count: number, unexported: number): TelemetryMode[] {
  const compared = Array.from({ length: count }, (_, index): TelemetryMode => {
    const firstOfPair = index % 2 === 0;
    const pairStartsOn = Math.floor(index / 2) % 2 === 0;
    return firstOfPair === pairStartsOn ? 'on' : 'off';
  });
  return [...compared, ...Array.from({ length: unexported }, (): TelemetryMode => 'unexported')];
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function summarizeMode(rounds: OverheadRound[]): ModeSummary {
  return {
    rounds: rounds.length,
    requestsPerSecond: round(median(rounds.map((r) => r.load.requestsPerSecond)), 1),
    p50Ms: round(median(rounds.map((r) => r.load.latencyMs.p50))),
    p99Ms: round(median(rounds.map((r) => r.load.latencyMs.p99))),
    serviceCpuMsPerRequest: round(median(rounds.map((r) => r.serviceCpuMsPerRequest)), 3),
  };
}

export function evaluate(
  rounds: OverheadRound[],
): Pick<OverheadBenchResult, 'median' | 'ratio' | 'pairRatios' | 'targets'> {
  const on = summarizeMode(rounds.filter((r) => r.mode === 'on'));
  const off = summarizeMode(rounds.filter((r) => r.mode === 'off'));
  const unexportedRounds = rounds.filter((r) => r.mode === 'unexported');
  const unexported = unexportedRounds.length > 0 ? { unexported: summarizeMode(unexportedRounds) } : {};
  const ratio = round(on.requestsPerSecond / off.requestsPerSecond, 3);
  const pairRatios: number[] = [];
  const compared = rounds.filter((r) => r.mode !== 'unexported');
  for (let index = 0; index + 1 < compared.length; index += 2) {
    const pair = [compared[index], compared[index + 1]];
    const onRound = pair.find((r) => r?.mode === 'on');
    const offRound = pair.find((r) => r?.mode === 'off');
    if (onRound && offRound)
      pairRatios.push(round(onRound.load.requestsPerSecond / offRound.load.requestsPerSecond, 3));
  }
  const clean = compared.every((r) => r.load.errors === 0);
  return {
    median: { on, off, ...unexported },
    ratio,
    pairRatios,
    targets: { ratioMet: clean && ratio >= TARGETS.minRatio },
  };
}

const number = (value: number) => value.toLocaleString('en-US');
const percent = (fraction: number) =>
  `${round((fraction - 1) * 100, 1) > 0 ? '+' : ''}${round((fraction - 1) * 100, 1)} %`;
const average = (values: number[]) =>
  values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** Cores busy outside the stack's own processes and the load generator (PostgreSQL, other work). */
function othersCores(r: OverheadRound): number | null {
  if (r.machineCores === null) return null;
  const ours = Object.values(r.coresUsed).reduce((sum, value) => sum + value, 0);
  return round(Math.max(0, r.machineCores - ours));
}

function roundRow(r: OverheadRound): string {
  const l = r.load.latencyMs;
  const cores = (name: string) => r.coresUsed[name] ?? 0;
  return `| ${r.index} | ${r.mode} | ${number(r.load.requests)} | ${r.load.errors} | ${number(r.load.requestsPerSecond)} | ${l.p50} | ${l.p99} | ${r.serviceCpuMsPerRequest} | ${cores('ms-products')} | ${cores('zipkin')} | ${cores('load generator')} | ${othersCores(r) ?? '–'} | ${number(r.spansReceived)} | ${r.spansPerRequest} | ${r.scrapes.up} / ${r.scrapes.attempted} |`;
}

function explanation(result: OverheadBenchResult): string {
  const { median: m, rounds } = result;
  const cpuRatio = m.on.serviceCpuMsPerRequest / m.off.serviceCpuMsPerRequest;
  const zipkinCores = average(rounds.filter((r) => r.mode === 'on').map((r) => r.coresUsed['zipkin'] ?? 0));
  const spread =
    result.pairRatios.length > 0
      ? `${Math.min(...result.pairRatios)}–${Math.max(...result.pairRatios)}`
      : '–';
  const lines = [
    `- Per request, ms-products spent ${m.on.serviceCpuMsPerRequest} ms of CPU with tracing on and ${m.off.serviceCpuMsPerRequest} ms with it off (medians, ${percent(cpuRatio)}): creating, ending and batching the request's spans and serialising them for Zipkin. CPU per request depends much less on what else the machine is doing than requests/s.`,
    `- Zipkin itself (a JVM on the same two cores, in-memory storage) kept ${round(zipkinCores)} cores busy on average during the "on" rounds and next to none during the "off" rounds: a cost the service's own host does not pay where the trace backend runs elsewhere, but one that competes with ms-products here.`,
    `- Pair ratios (on ÷ off in neighbouring rounds) ranged ${spread}: the spread is the noise of this machine; a single pair says less than the median.`,
  ];
  if (m.unexported) {
    const extra = m.on.serviceCpuMsPerRequest - m.off.serviceCpuMsPerRequest;
    const making = m.unexported.serviceCpuMsPerRequest - m.off.serviceCpuMsPerRequest;
    lines.push(
      `- Where the cost is, from the diagnostic rounds (run after the others, outside the ratio; ms-products with the SDK on but \`OTEL_TRACES_EXPORTER=none\`: spans made, ids in logs and exemplars, the database histogram fed, nothing exported): ${number(m.unexported.requestsPerSecond)} requests/s and ${m.unexported.serviceCpuMsPerRequest} CPU ms per request. Of the ${round(extra, 3)} ms tracing adds per request, about ${round(making, 3)} ms is making the spans (instrumentation, context, processors) and ${round(extra - making, 3)} ms is batching and exporting them to Zipkin.`,
    );
  }
  const spansPerTrace = result.zipkin.sampleTrace?.length ?? 0;
  const short = rounds.filter((r) => r.mode === 'on' && r.spansPerRequest < spansPerTrace * 0.8);
  if (short.length > 0) {
    lines.push(
      `- A request makes ${spansPerTrace} spans (the sample trace), but in round${short.length > 1 ? 's' : ''} ${short.map((r) => r.index).join(', ')} Zipkin received only ${short.map((r) => r.spansPerRequest).join(', ')} per request: at that rate the batch span processor drops what does not fit its queue (\`OTEL_BSP_MAX_QUEUE_SIZE\`, 2048 by default) between exports. Those rounds paid for making every span but not for exporting all of them, so exporting everything would cost somewhat more than measured.`,
    );
  }
  if (!result.targets.ratioMet) {
    const cpuBound = round(m.off.serviceCpuMsPerRequest / m.on.serviceCpuMsPerRequest, 2);
    const serviceCoresOn = average(
      rounds.filter((r) => r.mode === 'on').map((r) => r.coresUsed['ms-products'] ?? 0),
    );
    const contended =
      serviceCoresOn < 0.8
        ? ` in the "on" rounds ms-products got only ${round(serviceCoresOn)} of a core on average, so the throughput ratio here mixes tracing's cost with the machine's contention;`
        : '';
    const exportIsSmall =
      m.unexported !== undefined &&
      m.unexported.serviceCpuMsPerRequest - m.off.serviceCpuMsPerRequest >
        (m.on.serviceCpuMsPerRequest - m.off.serviceCpuMsPerRequest) / 2;
    lines.push(
      `- **Target missed.** ${rounds.some((r) => r.load.errors > 0) ? 'Some rounds had errors (see the table), which fails the target by itself. ' : ''}The route is cheap (${m.off.serviceCpuMsPerRequest} CPU ms per request without tracing), so the spans' fixed cost is large beside it: even with a core to itself, ms-products would manage only about ${cpuBound} of its untraced throughput (off ÷ on CPU per request). The measured ratio is lower still because on this machine the load generator, ms-products, PostgreSQL, Zipkin and other people's work share ${result.machine.cpus} cores:${contended} the CPU-per-request ratio is the steadier measure of the two. Reaching ${TARGETS.minRatio} needs fewer or cheaper spans per request (e.g. no \`pg-pool.connect\` span, or a ratio sampler: unsampled spans are not recorded)${exportIsSmall ? ', not a faster exporter: the diagnostic rounds show exporting is the smaller part' : ''}.`,
    );
  }
  return lines.join('\n');
}

function sampleTrace(spans: ZipkinSpan[] | null): string {
  if (spans === null || spans.length === 0) return 'No trace of the route was found in Zipkin.';
  const names = spans.map((span) => `\`${span.name}\` (${span.kind.toLowerCase()}, ${span.service})`);
  return `One stored trace of the route, ${spans.length} spans: ${names.join(', ')}.`;
}

export function renderOverheadReport(result: OverheadBenchResult): string {
  const { machine, settings, median: m, rounds, route } = result;
  const onRounds = rounds.filter((r) => r.mode === 'on');
  const offRounds = rounds.filter((r) => r.mode === 'off');
  const unexportedRounds = rounds.filter((r) => r.mode === 'unexported');
  const spansOn = onRounds.reduce((sum, r) => sum + r.spansReceived, 0);
  const spansOff = offRounds.reduce((sum, r) => sum + r.spansReceived, 0);
  const busiest = Math.max(...rounds.map((r) => othersCores(r) ?? 0));
  const busy =
    Math.max(...machine.loadAverage.slice(0, 1), ...machine.loadAverageAfter.slice(0, 1)) >
      machine.cpus / 2 || busiest > 0.2;
  return `# Tracing overhead benchmark

\`npm run bench -- overhead\`, ${machine.date}, commit ${machine.commit}.
Generated by \`bench/overhead.bench.ts\`; the raw numbers are in [\`overhead.json\`](overhead.json).

## Result

\`${route.method} ${route.template}\` on ${route.service}, called directly, ${settings.connections} connections, tracing on (the stack's default) versus off (\`OTEL_SDK_DISABLED=true\`); metrics on in both.

| tracing | rounds | requests/s (median) | p50 ms (median) | p99 ms (median) | ms-products CPU ms per request (median) |
|---|---:|---:|---:|---:|---:|
| on | ${m.on.rounds} | ${number(m.on.requestsPerSecond)} | ${m.on.p50Ms} | ${m.on.p99Ms} | ${m.on.serviceCpuMsPerRequest} |
| off | ${m.off.rounds} | ${number(m.off.requestsPerSecond)} | ${m.off.p50Ms} | ${m.off.p99Ms} | ${m.off.serviceCpuMsPerRequest} |
${m.unexported ? `| *diagnostic:* spans made, not exported | ${m.unexported.rounds} | ${number(m.unexported.requestsPerSecond)} | ${m.unexported.p50Ms} | ${m.unexported.p99Ms} | ${m.unexported.serviceCpuMsPerRequest} |\n` : ''}
- Throughput ratio, on ÷ off (medians): **${result.ratio}** — target ≥ ${TARGETS.minRatio}: ${result.targets.ratioMet ? '**met**' : '**not met**'}.
- Ratio within each pair of neighbouring rounds: ${result.pairRatios.join(', ') || '–'}.
- Tracing really was on: Zipkin's collector accepted ${number(spansOn)} spans during the "on" rounds (${onRounds.map((r) => r.spansPerRequest).join(', ')} per request sent) and ${number(spansOff)} during the "off" rounds${unexportedRounds.length > 0 ? ` (${number(unexportedRounds.reduce((sum, r) => sum + r.spansReceived, 0))} during the diagnostic ones)` : ''}; the counter counts every service's spans, so a few of ms-auth's and ms-users' own may be among them. Services in Zipkin: ${result.zipkin.services.join(', ') || 'none'}.
- ${sampleTrace(result.zipkin.sampleTrace)}
- Metrics were really on: Prometheus scraped ms-products every 5 s in every round (successful / attempted scrapes in the table).
${busy ? `- **Measured with other work on the machine**: load average ${machine.loadAverage[0]} when the run started and ${machine.loadAverageAfter[0]} when it ended on ${machine.cpus} cores, and up to ${busiest} cores busy outside the stack's processes and the load generator during a round (PostgreSQL included). The numbers are noisier than on an idle machine.\n` : ''}
## Every round

| round | tracing | requests | errors | requests/s | p50 ms | p99 ms | ms-products CPU ms/request | ms-products cores | Zipkin cores | load generator cores | other cores (PostgreSQL, others' work) | spans to Zipkin | spans per request | scrapes up / attempted |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rounds.map(roundRow).join('\n')}

ms-products was restarted before each round (${rounds.map((r) => r.restartSeconds).join(', ')} s until ready).

## Reading it

${explanation(result)}

## What was measured

- **The route**: \`${route.method} ${route.template}\` — a consumer's product page read: bearer token verified (JWKS cached), the product read from PostgreSQL, presented as JSON. Autocannon (in-process) keeps ${settings.connections} keep-alive connections busy, each cycling through ${route.products} of the ${number(settings.products)} demo products (seed ${settings.seed}) with a demo buyer's token.
- **Directly, not through the gateway**: the URL is ms-products' own port. HAProxy would add its own, identical, work to both sides and take CPU from the same two cores; called directly, the difference is the service's instrumentation alone (plus Zipkin's share of the machine).
- **Tracing on** is the stack's default, nothing overridden: the SDK preloaded with \`--import @marketshare/platform/telemetry-register\` (HTTP, undici, Koa, pg, mysql2, mongoose, amqplib instrumentation); the SDK's default sampler (parent-based, always on), and since these requests carry no \`traceparent\` every one starts a sampled trace; every span exported by a batch span processor (1 s schedule delay) with the Zipkin exporter to the stack's Zipkin (in-memory storage, same machine).
- **Tracing off**: \`OTEL_SDK_DISABLED=true\` for ms-products only: neither the ESM loader hook nor the SDK is installed; the OpenTelemetry API calls in the code are no-ops.
- **Metrics stay on in both**, as there is no switch for them: they are part of the product. Per request that is one observation of the \`http_server_request_duration_seconds\` histogram (with a trace-id exemplar when tracing is on), and Prometheus scrapes \`/metrics\` every 5 s. One exception: the database histogram \`db_client_operation_duration_seconds\` is fed from the pg instrumentation's finished spans, so it is only recorded with tracing on — its per-query observation counts as tracing's cost here.
- **Rounds**: ${settings.rounds} compared${settings.unexportedRounds > 0 ? ` and ${settings.unexportedRounds} diagnostic ones at the end` : ''}, in pairs of alternating order (on/off, off/on, …) so a steady drift in the machine's load cancels out; ms-products restarted with the round's setting each time (same port, database, Zipkin and Prometheus), ${settings.warmupSeconds} s warm-up (discarded), then ${settings.durationSeconds} s measured. Percentiles are nearest-rank over every response time. Services log at \`${settings.serviceLogLevel}\`.

## Machine

${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, ${machine.os};
Node ${machine.node}, ${machine.postgres}.
Load average when the run started: ${machine.loadAverage.join(', ')}; when it ended: ${machine.loadAverageAfter.join(', ')} (1, 5, 15 min).
Everything ran on this one machine: the load generator, ms-products, ms-auth, ms-users, Zipkin, Prometheus and PostgreSQL (127.0.0.1 only).
`;
}
