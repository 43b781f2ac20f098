import type { Logger } from '@marketshare/platform';
import type { OrdersDeps } from '../deps.js';
import { OrderLifecycle } from '../domain/order-status.js';
import type { OrderStatus } from '../domain/orders.js';
import { MongoOrderStore } from '../store/orders-store.js';
import { MongoProgressionStore, type ProgressingOrder } from '../store/progression-store.js';

/** Who the history names for the simulator's changes. */
export const SIMULATOR = 'simulator';

const NEXT_STEP: Partial<Record<OrderStatus, OrderStatus>> = {
  RECEIVED: 'IN_DELIVERY',
  IN_DELIVERY: 'DELIVERED',
};

export interface ProgressionSimulatorOptions {
  lifecycle: OrderLifecycle;
  store: MongoProgressionStore;
  logger: Logger;
  /** Each step comes a random time up to this after the order's last change. */
  maxIntervalMs: number;
  /** How often it looks for work (default: a tenth of the maximum, within 10 ms–1 s). */
  wakeIntervalMs?: number;
  /** Orders of each kind (to plan, due) per pass. */
  batchSize?: number;
  /** Uniform in [0, 1); injectable so tests choose the delays. */
  random?: () => number;
  clock?: () => Date;
}

export interface SimulationPass {
  /** next steps given a time */
  scheduled: number;
  advanced: number;
  /** steps another instance (or a person) took first: left alone */
  lost: number;
  /** a batch was full: more work is waiting */
  full: boolean;
}

/**
 * Demo traffic, as the original system had: each RECEIVED order goes IN_DELIVERY and then
 * DELIVERED, each step a random time (up to the maximum) after the previous change, taken the
 * way its seller would take it (history, event and reservation confirm; `by: simulator`).
 * A step's time is stored on the order; every step is conditional on the order's status and
 * version, so instances running side by side never take one twice, and orders cancelled or
 * moved meanwhile are left as they are.
 */
export class ProgressionSimulator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  private readonly wakeIntervalMs: number;
  private readonly batchSize: number;
  private readonly random: () => number;
  private readonly clock: () => Date;

  constructor(private readonly options: ProgressionSimulatorOptions) {
    this.wakeIntervalMs =
      options.wakeIntervalMs ?? Math.min(1_000, Math.max(10, Math.floor(options.maxIntervalMs / 10)));
    this.batchSize = options.batchSize ?? 100;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.wakeIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let next = this.wakeIntervalMs;
      this.running = this.runOnce()
        .then((pass) => {
          if (pass.full) next = 0;
        })
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'progression simulator pass failed'),
        )
        .finally(() => this.schedule(next));
    }, delayMs);
    this.timer.unref();
  }

  /** One pass: give new steps a time (taking those already due), then take the due ones. */
  async runOnce(): Promise<SimulationPass> {
    const { store } = this.options;
    const now = this.clock();
    const pass: SimulationPass = { scheduled: 0, advanced: 0, lost: 0, full: false };
    const unscheduled = await store.unscheduled(this.batchSize);
    for (const order of unscheduled) {
      const at = this.nextStepTime(order);
      if (at.getTime() <= now.getTime()) await this.advance(order, pass);
      else if (await store.schedule(order, at)) pass.scheduled += 1;
    }
    const due = await store.due(now, this.batchSize);
    for (const order of due) await this.advance(order, pass);
    pass.full = unscheduled.length === this.batchSize || due.length === this.batchSize;
    return pass;
  }

  private nextStepTime(order: ProgressingOrder): Date {
    const delayMs = Math.floor(this.random() * (this.options.maxIntervalMs + 1));
    return new Date(order.since.getTime() + delayMs);
  }

  private async advance(order: ProgressingOrder, pass: SimulationPass): Promise<void> {
    const to = NEXT_STEP[order.status];
    if (!to) return;
    const moved = await this.options.lifecycle.advanceForSeller(order, to, SIMULATOR, order.version);
    if (moved) pass.advanced += 1;
    else pass.lost += 1;
  }
}

/** The simulator of a running ms-orders (main.ts starts it when ORDER_SIMULATOR_ENABLED). */
export function progressionSimulatorFor(deps: OrdersDeps): ProgressionSimulator {
  return new ProgressionSimulator({
    lifecycle: new OrderLifecycle(
      new MongoOrderStore(deps.models, deps.onEventsWritten),
      deps.products,
      deps.logger,
    ),
    store: new MongoProgressionStore(deps.models),
    logger: deps.logger,
    maxIntervalMs: deps.config.ORDER_SIMULATOR_MAX_INTERVAL_MS,
  });
}
