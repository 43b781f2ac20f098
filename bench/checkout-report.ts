/** The checkout benchmark's committed report: Markdown for people, JSON with the same numbers. */
import type { MachineInfo } from './lib/machine.js';
import type { OversellCheck } from './checkout-audit.js';
import type { OutboxDrain, StageResult } from './checkout-load.js';
import { BASKET_KINDS } from './checkout-setup.js';

export interface CheckoutBenchResult {
  machine: MachineInfo & { postgres: string; mongo: string };
  settings: {
    concurrency: number[];
    stageSeconds: number;
    warmupSeconds: number;
    warmupConcurrency: number;
    sellers: number;
    productsPerSeller: number;
    plentifulStock: number;
    scarceStock: number;
    consumers: number;
    serviceLogLevel: string;
    paymentApprovalProbability: number;
    accessTokenTtlSeconds: number;
  };
  setupSeconds: number;
  stages: StageResult[];
  /** After the load: how long until every order event was confirmed by RabbitMQ. */
  outboxDrain: OutboxDrain;
  oversell: OversellCheck;
}

const number = (value: number) => value.toLocaleString('en-US');
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} × ${number(count)}`)
    .join(', ') || '–';

function stageRow(stage: StageResult): string {
  const { checkouts: c } = stage;
  const l = c.latencyMs;
  return `| ${stage.warmup ? `${stage.concurrency} (warm-up)` : stage.concurrency} | ${number(c.requests)} | ${number(c.requestsPerSecond)} | ${number(stage.orders['RECEIVED'] ?? 0)} | **${number(stage.ordersPerSecond)}** | ${number(stage.orders['OUT_OF_STOCK'] ?? 0)} | ${number(stage.orders['REJECTED'] ?? 0)} | ${c.errors} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} |`;
}

/** Cores kept busy per process and stage, busiest processes first; idle ones left out. */
function cpuTable(stages: StageResult[]): string {
  const totals = new Map<string, number>();
  for (const stage of stages) {
    for (const [name, cores] of Object.entries(stage.coresUsed)) {
      totals.set(name, (totals.get(name) ?? 0) + cores);
    }
  }
  const names = [...totals.entries()]
    .filter(([, total]) => total >= 0.05)
    .sort(([, a], [, b]) => b - a)
    .map(([name]) => name);
  const rows = stages.map((stage) => {
    const cells = names.map((name) => (stage.coresUsed[name] ?? 0).toFixed(2));
    const sum = Object.values(stage.coresUsed).reduce((total, cores) => total + cores, 0);
    return `| ${stage.label} | ${cells.join(' | ')} | ${sum.toFixed(2)} |`;
  });
  return [
    `| stage | ${names.join(' | ')} | all of these |`,
    `|---|${names.map(() => '---:|').join('')}---:|`,
    ...rows,
  ].join('\n');
}

/** What the table says, in words: where throughput stops growing and where the CPU went. */
function reading(result: CheckoutBenchResult): string {
  const measured = result.stages.filter((stage) => !stage.warmup);
  const best = Math.max(...measured.map((stage) => stage.checkouts.requestsPerSecond));
  const knee = measured.find((stage) => stage.checkouts.requestsPerSecond >= 0.9 * best);
  // Little's law holds for every answer; failed ones are not in the percentiles, so take a clean stage.
  const clean = measured.filter((stage) => stage.checkouts.errors === 0 && stage.concurrency > 1).at(-1);
  const last = measured.at(-1);
  if (!knee || !last || best <= 0) return '';
  const busiest = Object.entries(last.coresUsed)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(', ');
  const stackCores = Object.values(last.coresUsed).reduce((sum, cores) => sum + cores, 0);
  const little = clean
    ? ` (at ${clean.concurrency}: ${clean.concurrency} ÷ ${number(clean.checkouts.requestsPerSecond)}/s ≈ ${number(Math.round((clean.concurrency / clean.checkouts.requestsPerSecond) * 1000))} ms; measured mean ${number(clean.checkouts.latencyMs.mean)} ms)`
    : '';
  const failing = measured.filter((stage) => stage.checkouts.errors > 0);
  const failures =
    failing.length === 0
      ? 'No checkout failed at any level.'
      : `Checkouts failed from concurrency ${failing[0]?.concurrency ?? '?'} on (see the answers above): at that point the stack is past what this machine can carry.`;
  return `Reading it: checkouts/s come within 10 % of the best (${number(best)}/s) from concurrency
${knee.concurrency} on; past that point more consumers at once only queue, and the mean latency
follows Little's law, concurrency ÷ throughput${little}. ${failures}
At concurrency ${last.concurrency} the busiest processes were ${busiest} cores; the stack's own
processes used ${stackCores.toFixed(2)} of the machine's ${result.machine.cpus} CPUs, the rest went to PostgreSQL, MariaDB,
RabbitMQ and whatever else ran on the machine (see the load average below).`;
}

/** How the relay kept up: how long it took to send the backlog after the load, and how fast. */
function drained({ outboxDrain: drain }: CheckoutBenchResult): string {
  const peak = drain.samples.reduce<OutboxDrain['samples'][number] | undefined>(
    (top, sample) => (top === undefined || sample.backlog > top.backlog ? sample : top),
    undefined,
  );
  const last = drain.samples.at(-1);
  const end = drain.seconds === null ? last : { second: drain.seconds, backlog: 0 };
  const rate =
    peak && end && end.second > peak.second
      ? `, sending about ${number(Math.round((peak.backlog - end.backlog) / (end.second - peak.second)))} events/s with no checkouts coming in`
      : '';
  if (drain.seconds === null) {
    return `**still ${number(last?.backlog ?? Number.NaN)}** ${last?.second ?? '?'} s after the load, when the run stopped waiting${rate}`;
  }
  return `empty ${drain.seconds} s after the load${rate}`;
}

function answersLine(stage: StageResult): string {
  const problems = Object.keys(stage.problems).length > 0 ? `; problems: ${counts(stage.problems)}` : '';
  const downs = Object.entries(stage.gatewayDowns)
    .map(([backend, down]) => `; ${backend} marked DOWN ${down.timesDown}× for ${down.secondsDown} s in all`)
    .join('');
  return `  - ${stage.label}: ${counts(stage.statusCodes)}${problems}${downs}`;
}

function productRow(product: OversellCheck['products'][number]): string {
  const taken = product.initialStock - product.currentStock;
  const kind = product.scarceForStage === null ? 'plentiful' : `scarce (${product.scarceForStage})`;
  return `| ${product.name} | ${kind} | ${number(product.initialStock)} | ${number(product.acceptedUnits)} | ${number(product.currentStock)} | ${number(taken)} | ${product.ok ? 'ok' : '**FAIL**'} |`;
}

export function renderCheckoutReport(result: CheckoutBenchResult): string {
  const { machine, settings, oversell } = result;
  const measured = result.stages.filter((stage) => !stage.warmup);
  const best = measured.reduce<StageResult | undefined>(
    (top, stage) => (top === undefined || stage.ordersPerSecond > top.ordersPerSecond ? stage : top),
    undefined,
  );
  const scarce = oversell.products.filter((product) => product.scarceForStage !== null);
  const plentiful = oversell.products.filter((product) => product.scarceForStage === null);
  return `# Checkout benchmark

\`npm run bench -- checkout\`, ${machine.date}, commit ${machine.commit}.
Generated by \`bench/checkout.bench.ts\`; the raw numbers are in [\`checkout.json\`](checkout.json).

## Result

\`POST /api/orders/checkout\` through the gateway, ${settings.stageSeconds} s per concurrency level
(concurrency = consumers checking out at once, each one basket after the other).

| concurrency | checkouts (201) | checkouts/s | accepted orders | accepted orders/s | OUT_OF_STOCK orders | REJECTED orders | errors | p50 ms | p95 ms | p99 ms | max ms |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${result.stages.map(stageRow).join('\n')}

${best ? `- Most accepted orders per second: **${number(best.ordersPerSecond)}** at concurrency ${best.concurrency}.` : ''}
- Answers per stage (HTTP status; "network" = no answer; problem codes, "gateway: …" when HAProxy
  answered itself), and the services HAProxy's health checks took out of rotation:
${result.stages.map(answersLine).join('\n')}
- ms-orders' outbox backlog (order events written with their orders, not yet confirmed by
  RabbitMQ; it grows while checkouts make events faster than the relay sends them) when each
  stage ended:
  ${result.stages.map((stage) => `${stage.label} ${stage.outboxBacklogAtEnd ?? '?'}`).join(', ')};
  ${drained(result)}.

CPU cores kept busy on average during each stage (CPU seconds ÷ seconds, from \`/proc\`), by
the stack's own processes and the load generator; the shared PostgreSQL and RabbitMQ are not
included (other work on the machine uses them too):

${cpuTable(result.stages)}

${reading(result)}

## Oversell check: ${oversell.passed ? '**passed**' : '**FAILED**'}

After the load (no checkout in flight), per product: the units in accepted (\`RECEIVED\`) orders,
read back through the gateway from ms-orders (every order of the run's sellers:
${counts(oversell.storedOrders)}), against the stock ms-products shows for the product.
Passing means, for every product: accepted units ≤ initial stock, stock ≥ 0, initial − current
stock = accepted units, and every accepted order a checkout answered is stored.
Reading it all back took ${oversell.readSeconds} s; ${oversell.settleSeconds === 0 ? 'the stock matched at once' : `the stock matched ${oversell.settleSeconds} s later`}.

| product | kind | initial stock | units in accepted orders | stock now | taken | |
|---|---|---:|---:|---:|---:|---|
${[...scarce, ...plentiful].map(productRow).join('\n')}

${oversell.failures.length > 0 ? `Failures:\n\n${oversell.failures.map((failure) => `- ${failure}`).join('\n')}\n` : ''}${oversell.notes.length > 0 ? `Notes:\n\n${oversell.notes.map((note) => `- ${note}`).join('\n')}\n` : ''}
## Machine

${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, ${machine.os};
Node ${machine.node}, ${machine.postgres}, ${machine.mongo}, ${machine.haproxy}.
Load average when the run started: ${machine.loadAverage.join(', ')} (1, 5, 15 min).
Everything ran on this one machine: the load generator, HAProxy, the five services, PostgreSQL,
MariaDB, the Mongo stand-in, RabbitMQ and the SMTP sink (127.0.0.1 only).

## What was measured

- **Stack**: an isolated stack started for the run (own state dir, random ports, database
  prefix and RabbitMQ vhost) and purged afterwards: ms-auth, ms-users, ms-products, ms-orders
  and ms-email behind HAProxy. ms-email is off the checkout's path but part of its cost: it
  takes every \`order.created\` event, looks the consumer up in ms-users and sends the email to
  the SMTP sink, on the same CPUs (and without a queue bound for them, ms-orders' relay could
  not deliver its events at all). The payment simulator approves every payment (\`PAYMENT_APPROVAL_PROBABILITY=${settings.paymentApprovalProbability}\`), so
  \`REJECTED\` orders would show a fault, not chance. Services log at \`${settings.serviceLogLevel}\`.
- **Data**, made through the gateway in ${result.setupSeconds} s: ${settings.sellers} sellers with ${settings.productsPerSeller} products each
  (${number(settings.plentifulStock)} units of stock, never running out), one scarce product per stage
  with ${settings.scarceStock} units, and ${settings.consumers} consumers, each logged in with the password grant
  of the \`frontend\` client (access tokens issued for ${settings.accessTokenTtlSeconds / 60} minutes, so none expires during the
  run; token verification costs the same).
- **Load**: a closed loop per concurrency level: N workers (worker *i* is consumer *i*), each
  sending one checkout, then the next as soon as the answer is in, for ${settings.stageSeconds} s; checkouts
  in flight at the end are awaited. Every checkout has a fresh \`Idempotency-Key\` and explicit
  \`items\`; the workers cycle through four baskets:
${BASKET_KINDS.map((kind, index) => `  ${index + 1}. ${kind}`).join('\n')}

  so a quarter of the checkouts fight over the stage's scarce product, which sells out
  during the stage; from then on those checkouts get an \`OUT_OF_STOCK\` order for it (and a
  \`RECEIVED\` one for the other seller's product). A ${settings.warmupSeconds} s warm-up at concurrency
  ${settings.warmupConcurrency} (with its own scarce product) comes first.
- **Numbers**: *accepted orders/s* counts \`RECEIVED\` orders (stock reserved, payment
  authorized) in the answers, per second of the stage; one checkout makes one order per seller.
  Latency percentiles (nearest rank) are over every checkout answered 201, whatever its orders'
  statuses; *errors* are every other answer and every request without one.
`;
}
