/**
 * One stage of the checkout benchmark: N consumers, each checking out one basket after the
 * other through the gateway (a fresh Idempotency-Key and explicit items every time).
 */
import { randomUUID } from 'node:crypto';
import { runClosedLoop } from './lib/closed-loop.js';
import { fieldOf, requestJson } from './lib/http-json.js';
import type { LoadSummary } from './lib/latency.js';
import { gatewayHealth, healthChanges, type GatewayHealth } from './lib/haproxy-stats.js';
import { coresUsed, cpuTimes } from './lib/process-cpu.js';
import { basketFor, type CheckoutFixture } from './checkout-setup.js';

/** The gateway's own server timeout; a checkout answers 503 long before. */
const CHECKOUT_TIMEOUT_MS = 30_000;

export interface Stage {
  label: string;
  concurrency: number;
  seconds: number;
  /** Warm-up stages are reported but not part of the result. */
  warmup: boolean;
}

export interface StageResult extends Stage {
  /** Checkouts answered 201; errors are every other answer and every failed request. */
  checkouts: LoadSummary;
  /** RECEIVED (accepted: stock reserved, payment authorized) orders per second. */
  ordersPerSecond: number;
  /** Orders in the 201 answers, by status. */
  orders: Record<string, number>;
  /** Answers by HTTP status ("network" for requests without one). */
  statusCodes: Record<string, number>;
  /** Problem codes of the answers other than 201. */
  problems: Record<string, number>;
  /** ms-orders' outbox_backlog gauge when the stage ended: events not yet confirmed by RabbitMQ. */
  outboxBacklogAtEnd: number | null;
  /** CPU cores each of the stack's processes (and the load generator) kept busy, on average. */
  coresUsed: Record<string, number>;
  /** Backends whose server HAProxy's health checks took out of rotation during the stage. */
  gatewayDowns: GatewayHealth;
}

export interface StageRun {
  gatewayUrl: string;
  /** HAProxy's stats page (127.0.0.1). */
  haproxyStatsUrl: string;
  /** The stack's services: their backends are the ones watched (others have no server at all). */
  services: string[];
  /** ms-orders itself (127.0.0.1), for its metrics. */
  ordersServiceUrl: string | undefined;
  /** The stack's state dir: its processes, for their CPU time. */
  stateDir: string;
  fixture: CheckoutFixture;
  stage: Stage;
  /** Units of accepted orders by product, added to by every answer. */
  acceptedUnits: Map<string, number>;
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

const round1 = (value: number) => Math.round(value * 10) / 10;

interface OrderLine {
  productId: string;
  quantity: number;
}

function ordersOf(body: unknown): { status: string; items: OrderLine[] }[] {
  const orders = fieldOf(body, 'orders');
  if (!Array.isArray(orders)) throw new Error(`a 201 without orders: ${JSON.stringify(body)}`);
  return orders.map((order: unknown) => {
    const items = fieldOf(order, 'items');
    return {
      status: String(fieldOf(order, 'status')),
      items: (Array.isArray(items) ? items : []).map((item: unknown) => ({
        productId: String(fieldOf(item, 'productId')),
        quantity: Number(fieldOf(item, 'quantity')),
      })),
    };
  });
}

/** A service's problem code; the gateway's own answers (no service reached) carry none. */
function problemOf(body: unknown, status: number): string {
  const code = fieldOf(body, 'code');
  if (typeof code === 'string') return code;
  const title = fieldOf(body, 'title');
  return `gateway: ${typeof title === 'string' ? title : status}`;
}

/** The outbox_backlog gauge from a service's /metrics (127.0.0.1, never through the gateway). */
export async function outboxBacklog(serviceUrl: string | undefined): Promise<number | null> {
  if (serviceUrl === undefined) return null;
  try {
    const response = await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    // One sample, with the service's default labels: outbox_backlog{service="ms-orders"} 0
    const sample = /^outbox_backlog(?:\{[^}]*\})? (\S+)$/m.exec(await response.text());
    return sample?.[1] === undefined ? null : Number(sample[1]);
  } catch {
    return null;
  }
}

export interface OutboxDrain {
  /** Seconds after the load until the backlog was 0; null when it was not, in the time allowed. */
  seconds: number | null;
  /** The backlog every few seconds after the load (the gauge is refreshed after each batch). */
  samples: { second: number; backlog: number }[];
}

const SAMPLE_EVERY_MS = 5_000;

/** Waits, at most `budgetMs` from `since`, for ms-orders' relay to have every order event confirmed. */
export async function drainOutbox(
  ordersServiceUrl: string | undefined,
  since: number,
  budgetMs: number,
): Promise<OutboxDrain> {
  const samples: OutboxDrain['samples'] = [];
  const elapsed = () => Math.round((performance.now() - since) / 100) / 10;
  let lastSample = -Infinity;
  while (performance.now() - since < budgetMs) {
    const backlog = await outboxBacklog(ordersServiceUrl);
    if (backlog !== null && performance.now() - lastSample >= SAMPLE_EVERY_MS) {
      samples.push({ second: elapsed(), backlog });
      lastSample = performance.now();
    }
    if (backlog === 0) return { seconds: elapsed(), samples };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { seconds: null, samples };
}

/**
 * Runs the stage. Every unit of an accepted (RECEIVED) order the answers name is added to
 * `acceptedUnits`, by product, for the oversell check to compare with what the stores hold.
 */
export async function runStage(run: StageRun): Promise<StageResult> {
  const { gatewayUrl, fixture, stage, acceptedUnits } = run;
  const orders: Record<string, number> = {};
  const statusCodes: Record<string, number> = {};
  const problems: Record<string, number> = {};
  const readHealth = () => gatewayHealth(run.haproxyStatsUrl).catch((): GatewayHealth => ({}));
  const healthBefore = await readHealth();
  const cpuBefore = cpuTimes(run.stateDir);
  const checkouts = await runClosedLoop({
    workers: stage.concurrency,
    durationSeconds: stage.seconds,
    once: async (worker, turn) => {
      const consumer = fixture.consumers[worker % fixture.consumers.length];
      if (!consumer) throw new Error('no consumers');
      let answer;
      try {
        answer = await requestJson(`${gatewayUrl}/api/orders/checkout`, {
          headers: { authorization: `Bearer ${consumer.token}`, 'idempotency-key': randomUUID() },
          json: { items: basketFor(fixture, stage.label, worker, turn) },
          timeoutMs: CHECKOUT_TIMEOUT_MS,
        });
      } catch (error) {
        bump(statusCodes, 'network');
        bump(problems, error instanceof Error ? error.name : 'error');
        return false;
      }
      bump(statusCodes, String(answer.status));
      if (answer.status !== 201) {
        bump(problems, problemOf(answer.body, answer.status));
        return false;
      }
      for (const order of ordersOf(answer.body)) {
        bump(orders, order.status);
        if (order.status !== 'RECEIVED') continue;
        for (const item of order.items) {
          acceptedUnits.set(item.productId, (acceptedUnits.get(item.productId) ?? 0) + item.quantity);
        }
      }
      return true;
    },
  });
  const cores = coresUsed(cpuBefore, cpuTimes(run.stateDir), checkouts.seconds);
  return {
    ...stage,
    checkouts,
    ordersPerSecond: round1((orders['RECEIVED'] ?? 0) / checkouts.seconds),
    orders,
    statusCodes,
    problems,
    outboxBacklogAtEnd: await outboxBacklog(run.ordersServiceUrl),
    coresUsed: cores,
    gatewayDowns: Object.fromEntries(
      Object.entries(healthChanges(healthBefore, await readHealth())).filter(([backend]) =>
        run.services.includes(backend),
      ),
    ),
  };
}
