/** The site benchmark's committed report: Markdown for people, JSON with the same numbers. */
import type { MachineInfo } from './lib/machine.js';
import { LOAD_GENERATOR } from './lib/process-cpu.js';
import { SERIAL_RUNS } from './lib/serial.js';
import type { LighthouseResult } from './site-lighthouse.js';
import type { TargetResult } from './site-load.js';
import type { SiteFixture } from './site-setup.js';

export const TARGETS = { minSearchRatio: 0.7, minLighthouseScore: 90 } as const;

export interface SiteBenchResult {
  machine: MachineInfo & { postgres: string; chromium: string; chromeFlags: string[] };
  settings: {
    connections: number;
    warmupSeconds: number;
    durationSeconds: number;
    products: number;
    seed: number;
    checkouts: number;
    serviceLogLevel: string;
    accessTokenTtlSeconds: number;
    sessionAccountCheckSeconds: number;
    lighthouse: boolean;
  };
  fixture: SiteFixture;
  targets: TargetResult[];
  /** Failed attempts at signing in through the login form before the one that worked. */
  signInFailures: string[];
  lighthouse: LighthouseResult[];
  /** Search page requests/s ÷ search API requests/s. */
  searchRatio: number;
  met: {
    ratio: boolean;
    /** No page or API answered anything but 2xx under load. */
    noErrors: boolean;
    lighthouse: Record<string, { performance: boolean; accessibility: boolean }>;
  };
}

const byLabel = (results: TargetResult[], label: string) => results.find((result) => result.label === label);

export function evaluate(
  targets: TargetResult[],
  lighthouse: LighthouseResult[],
): Pick<SiteBenchResult, 'searchRatio' | 'met'> {
  const page = byLabel(targets, 'search page')?.load.requestsPerSecond ?? 0;
  const api = byLabel(targets, 'search API')?.load.requestsPerSecond ?? 0;
  const searchRatio = api > 0 ? Math.round((page / api) * 1000) / 1000 : 0;
  const atLeast = (value: number | null) => value !== null && value >= TARGETS.minLighthouseScore;
  return {
    searchRatio,
    met: {
      ratio: searchRatio >= TARGETS.minSearchRatio,
      noErrors: targets.every((target) => target.load.errors === 0),
      lighthouse: Object.fromEntries(
        lighthouse.map((result) => [
          result.page,
          { performance: atLeast(result.performance), accessibility: atLeast(result.accessibility) },
        ]),
      ),
    },
  };
}

const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const number = (value: number) => value.toLocaleString('en-US');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const cell = (value: string) => value.replace(/\|/g, '\\|');
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, count]) => `${key} × ${number(count)}`)
    .join(', ') || '–';

/** Processes by the cores they kept busy, busiest first, those under 0.05 left out. */
function busiest(cores: Record<string, number>): [string, number][] {
  return Object.entries(cores)
    .filter(([, used]) => used >= 0.05)
    .sort(([, a], [, b]) => b - a);
}

function loadTable(targets: TargetResult[]): string {
  const rows = targets.map((t) => {
    const l = t.load.latencyMs;
    return `| ${t.label} | \`${cell(t.path)}\` | ${number(t.load.requests)} | ${t.load.errors} | **${number(t.load.requestsPerSecond)}** | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${t.serialMs.p50} | ${kb(t.bytes)} |`;
  });
  return [
    '| target | path | requests | errors (non-2xx) | requests/s | p50 ms | p95 ms | p99 ms | max ms | one at a time p50 ms | body |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

const OTHERS = 'PostgreSQL and all else';

/** Cores by process, plus what the rest of the machine used (PostgreSQL, other people's work). */
function withOthers(t: TargetResult): Record<string, number> {
  const ours = Object.values(t.coresUsed).reduce((total, used) => total + used, 0);
  if (t.machineCores === null) return t.coresUsed;
  return { ...t.coresUsed, [OTHERS]: Math.max(0, Math.round((t.machineCores - ours) * 100) / 100) };
}

function cpuTable(targets: TargetResult[], cpus: number): string {
  const order = (name: string) => (name === LOAD_GENERATOR ? 1 : name === OTHERS ? 2 : 0);
  const names = [...new Set(targets.flatMap((t) => busiest(withOthers(t)).map(([name]) => name)))].sort(
    (a, b) => order(a) - order(b) || a.localeCompare(b),
  );
  const rows = targets.map((t) => {
    const cores = withOthers(t);
    return `| ${t.label} | ${names.map((name) => (cores[name] ?? 0).toFixed(2)).join(' | ')} | ${t.machineCores?.toFixed(2) ?? '–'} of ${cpus} |`;
  });
  return [
    `| target | ${names.join(' | ')} | whole machine |`,
    `|---|${names.map(() => '---:').join('|')}|---:|`,
    ...rows,
  ].join('\n');
}

/** CPU ms the stack's own processes spent per answer (PostgreSQL, shared, is not counted). */
const ownCpuMs = (t: TargetResult) =>
  Object.entries(t.cpuMsPerRequest)
    .filter(([name]) => name !== LOAD_GENERATOR)
    .reduce((total, [, ms]) => total + ms, 0);

function cpuCostTable(targets: TargetResult[]): string {
  const rows = targets.map((t) => {
    const top = busiest(t.cpuMsPerRequest)
      .filter(([name]) => name !== LOAD_GENERATOR)
      .slice(0, 4)
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ');
    return `| ${t.label} | ${ownCpuMs(t).toFixed(2)} | ${top} |`;
  });
  return [
    "| target | CPU ms per answer, the stack's processes | the biggest shares, ms |",
    '|---|---:|---|',
    ...rows,
  ].join('\n');
}

function callsTable(targets: TargetResult[]): string {
  const rows = targets
    .filter((t) => t.page)
    .map(
      (t) =>
        `| ${t.label} | ${counts(t.apiCallsPerRequest)} | ${t.apiMsPerRequest ?? '–'} | ${t.serialMs.p50} |`,
    );
  return [
    '| page | calls to the services per page (upstream, route) | ms waited on them per page | one at a time p50 ms |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
}

function lighthouseTable(results: LighthouseResult[]): string {
  const seconds = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`;
  const rows = results.map((r) => {
    const m = r.metrics;
    return `| ${r.page} | **${r.performance ?? 'failed'}** | **${r.accessibility ?? 'failed'}** | ${seconds(m['fcpMs'])} | ${seconds(m['lcpMs'])} | ${m['tbtMs'] === null || m['tbtMs'] === undefined ? '–' : Math.round(m['tbtMs'])} ms | ${m['cls'] ?? '–'} | ${seconds(m['speedIndexMs'])} | ${r.totalBytes === null ? '–' : kb(r.totalBytes)} | ${r.requests ?? '–'} |`;
  });
  return [
    '| page | performance | accessibility | FCP | LCP | TBT | CLS | Speed Index | transferred | requests |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** Why the search page keeps less (or more) of the API's throughput, read off the numbers. */
function ratioReading(result: SiteBenchResult): string {
  const page = byLabel(result.targets, 'search page');
  const api = byLabel(result.targets, 'search API');
  if (!page || !api) return 'The search page or the API was not measured.';
  const top = busiest(withOthers(page)).filter(([name]) => name !== LOAD_GENERATOR);
  const [first, second] = top;
  const frontend = page.coresUsed['frontend'] ?? 0;
  const pageCpu = ownCpuMs(page);
  const apiCpu = ownCpuMs(api);
  const others = withOthers(page)[OTHERS] ?? 0;
  const lines = [
    `The search page served ${number(page.load.requestsPerSecond)} pages/s against the API's ${number(api.load.requestsPerSecond)} answers/s: a ratio of **${result.searchRatio}**.`,
    `Each page makes ${counts(page.apiCallsPerRequest)} — the very search the API answers (${page.apiMsPerRequest ?? '–'} ms waited per page, one at a time) — then renders ${kb(page.bytes)} of HTML where the API sends ${kb(api.bytes)} of JSON.`,
    `One at a time (no queueing) a page took ${page.serialMs.p50} ms and the API ${api.serialMs.p50} ms (p50 of ${SERIAL_RUNS}): alone, a page costs little more than its search.`,
    `Under load, what decides the ratio is CPU: the stack's processes spent **${pageCpu.toFixed(2)} ms of CPU per page** (frontend ${(page.cpuMsPerRequest['frontend'] ?? 0).toFixed(2)}, ms-products ${(page.cpuMsPerRequest['ms-products'] ?? 0).toFixed(2)}) against **${apiCpu.toFixed(2)} ms per API answer** (ms-products ${(api.cpuMsPerRequest['ms-products'] ?? 0).toFixed(2)}, gateway ${(api.cpuMsPerRequest['gateway'] ?? 0).toFixed(2)}). With the cores as the limit the page can keep at most about ${apiCpu > 0 && pageCpu > 0 ? (apiCpu / pageCpu).toFixed(2) : '–'} of the API's rate: the server render of the page, not the search, is most of a page's cost. Keeping ${TARGETS.minSearchRatio} of it would need the whole page to cost at most ${(apiCpu / TARGETS.minSearchRatio).toFixed(2)} ms of CPU, the frontend's part about ${Math.max(0, apiCpu / TARGETS.minSearchRatio - (pageCpu - (page.cpuMsPerRequest['frontend'] ?? 0))).toFixed(2)} ms instead of ${(page.cpuMsPerRequest['frontend'] ?? 0).toFixed(2)} ms: out of reach for a server-rendered page of this size on one Node process, short of caching whole pages.`,
    first
      ? `Under the page's load the busiest was **${first[0]}** at ${first[1].toFixed(2)} cores${second ? `, then ${second[0]} at ${second[1].toFixed(2)}` : ''}; the whole machine kept ${page.machineCores?.toFixed(2) ?? '–'} of ${result.machine.cpus} cores busy, ${others.toFixed(2)} of them outside this stack's own processes (PostgreSQL, which the stack shares, and any other work on the machine).`
      : '',
  ];
  if (frontend >= 0.85) {
    lines.push(
      `The frontend is one Node process, so one core at most: at ${frontend.toFixed(2)} cores it is the bottleneck. The site is stateless, so more frontend instances behind the gateway would add capacity where cores are spare.`,
    );
  } else if (others >= 0.3) {
    lines.push(
      `The frontend was not saturated (${frontend.toFixed(2)} cores): the cores were shared with other work on the machine, which took capacity from both measurements alike and leaves the CPU cost per answer above as the comparison to go by.`,
    );
  }
  return lines.filter((line) => line !== '').join('\n');
}

function lighthouseReading(results: LighthouseResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.error !== null) {
      lines.push(`- **${r.page}**: Lighthouse failed: ${r.error.slice(0, 400)}`);
      continue;
    }
    const perfMissed = (r.performance ?? 0) < TARGETS.minLighthouseScore;
    const a11yMissed = (r.accessibility ?? 0) < TARGETS.minLighthouseScore;
    const shown = r.opportunities
      .slice(0, 6)
      .map(
        (o) =>
          `${o.title}${o.displayValue ? ` (${o.displayValue})` : ''}${o.savingsMs ? `, about ${o.savingsMs} ms` : ''}`,
      );
    const failed = r.accessibilityFailures.map((f) => `${f.title} (${f.items} elements)`);
    if (perfMissed) {
      lines.push(
        `- **${r.page}**, performance ${r.performance}: LCP ${r.metrics['lcpMs']} ms, TBT ${r.metrics['tbtMs']} ms, FCP ${r.metrics['fcpMs']} ms, server response ${r.metrics['serverResponseMs']} ms. Lighthouse's findings: ${shown.join('; ') || 'none'}.`,
      );
    } else if (shown.length > 0) {
      lines.push(
        `- **${r.page}**, performance ${r.performance} (met); what Lighthouse still flags: ${shown.join('; ')}.`,
      );
    }
    if (a11yMissed)
      lines.push(
        `- **${r.page}**, accessibility ${r.accessibility}: failing audits: ${failed.join('; ') || 'none listed'}.`,
      );
    else if (failed.length > 0)
      lines.push(
        `- **${r.page}**, accessibility ${r.accessibility} (met); failing audits: ${failed.join('; ')}.`,
      );
  }
  return lines.join('\n') || '- Nothing to add: every page meets both targets and Lighthouse flags nothing.';
}

function targetsList(result: SiteBenchResult): string {
  const lines = [
    `- Search page ÷ search API throughput: **${result.searchRatio}** — target ≥ ${TARGETS.minSearchRatio}: ${met(result.met.ratio)}.`,
    `- Errors (non-2xx or failed requests) under load: ${result.targets.reduce((sum, t) => sum + t.load.errors, 0)} — target 0: ${met(result.met.noErrors)}.`,
  ];
  for (const r of result.lighthouse) {
    const verdict = result.met.lighthouse[r.page];
    lines.push(
      `- Lighthouse ${r.page}: performance **${r.performance ?? 'failed'}** ${met(verdict?.performance ?? false)}, accessibility **${r.accessibility ?? 'failed'}** ${met(verdict?.accessibility ?? false)} (target ≥ ${TARGETS.minLighthouseScore} each).`,
    );
  }
  if (result.lighthouse.length === 0) lines.push('- Lighthouse: not run (BENCH_LIGHTHOUSE=off).');
  return lines.join('\n');
}

export function renderSiteReport(result: SiteBenchResult): string {
  const { machine, settings, fixture } = result;
  const env = result.lighthouse.find((r) => r.error === null)?.environment;
  return `# Site benchmark

\`npm run bench -- site\`, ${machine.date}, commit ${machine.commit}.
Generated by \`bench/site.bench.ts\`; the raw numbers are in [\`site.json\`](site.json).

## Targets

${targetsList(result)}

## Server-rendered pages under load

${settings.connections} keep-alive connections through the gateway, each target ${settings.warmupSeconds} s warm-up (discarded) then
${settings.durationSeconds} s measured, one after the other. Every answer but a 2xx counts as an error (a redirect to
the login page would be one). "One at a time" is the p50 of ${SERIAL_RUNS} requests sent one after the other after
the load: what a request costs with nothing queued.

${loadTable(result.targets)}

${result.signInFailures.length > 0 ? `Signing in through the form failed ${result.signInFailures.length} time(s) before it worked: ${result.signInFailures.map((why) => cell(why.slice(0, 300))).join('; ')}.\n\n` : ''}Status codes: ${result.targets.map((t) => `${t.label}: ${counts(t.load.statusCodes)}`).join('; ')}.

### The search page against the search API

${ratioReading(result)}

### Where the CPU went (cores kept busy, on average, while each target was measured)

${cpuTable(result.targets, machine.cpus)}

### CPU spent per answer

${cpuCostTable(result.targets)}

### What the frontend server asked the services for, per page (one at a time)

${callsTable(result.targets)}

## Lighthouse

Lighthouse ${env?.lighthouse ?? '12'} (${env?.formFactor ?? 'mobile'} form factor, ${env?.throttling ?? 'simulate'}d throttling: its default
settings), ${machine.chromium} headless, one run per page on the idle stack after the load; categories
performance and accessibility only. CPU benchmark index ${env?.benchmarkIndex ?? '–'}.

${lighthouseTable(result.lighthouse)}

${lighthouseReading(result.lighthouse)}

## Machine

${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, ${machine.os};
Node ${machine.node}, ${machine.postgres}, ${machine.haproxy}, ${machine.chromium}.
Load average when the run started: ${machine.loadAverage.join(', ')} (1, 5, 15 min).
Everything ran on this one machine: the load generator, HAProxy, the frontend (SvelteKit on
adapter-node, its production build), ms-auth, ms-users, ms-products, ms-orders, ms-email, the
Mongo stand-in and PostgreSQL (127.0.0.1 only).

## What was measured

- **Data**: ${number(fixture.seeded.products)} demo products (seed ${settings.seed}, the demo sellers and buyers) loaded by the
  demo seed in ${fixture.seeded.seconds} s into an isolated stack started for the run (own state dir, random
  ports, database prefix and RabbitMQ vhost) and purged afterwards; the demo buyer checked out
  ${settings.checkouts} baskets through the gateway first, so its orders page lists ${fixture.orders} orders.
- **Pages**: home; the search \`${result.targets.find((t) => t.label === 'search page')?.path ?? ''}\` (${fixture.searchItems} products on its first page);
  that search's first product; the buyer's \`/orders\`, with the session cookie the site's login
  form (\`POST /login\`, form-encoded, as without JavaScript) set. The anonymous pages carry no
  cookie, like a first visit. Services log at \`${settings.serviceLogLevel}\`.
- **The API**: the call the search page's load makes to ms-products for that URL, sent to the
  gateway with no token, as the page's own call is.
- **Session during the run**: the load replays one cookie, so the run gives the services
  \`ACCESS_TOKEN_TTL_SECONDS=${settings.accessTokenTtlSeconds}\` and the frontend \`SESSION_ACCOUNT_CHECK_SECONDS=${settings.sessionAccountCheckSeconds}\`: no
  token refresh happens during the orders load (a browser takes each refreshed cookie; 16
  connections replaying a stale one would not). Refreshes cost one ms-auth call per session
  every 15 s by default, which this leaves out.
- Percentiles are nearest-rank over every response time (autocannon, in-process). At a fixed
  concurrency mean latency ≈ connections ÷ throughput, so under load latency is mostly queueing.
`;
}
