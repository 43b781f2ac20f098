/**
 * The faults, one after another while the burst runs, each waiting for load in between and for
 * readiness (never a fixed sleep) to end: kill -9 ms-email, RabbitMQ cut off from ms-orders,
 * ms-products stopped for a while, kill -9 ms-orders mid-checkout, ms-auth restarted. Each
 * leaves a FaultWindow: when its service was away, from the fault until it was back and routed.
 */
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { SERVICES, stackStatus } from '../../scripts/stack/index.js';
import { OrdersWorld } from '../support/orders-world.js';
import type { World } from '../support/world.js';
import type { FaultWindow } from './model.js';
import type { Recorder } from './recorder.js';

/** Bounds on waits that end by readiness: generous, for a loaded machine of two cores. */
const BACK_WITHIN_MS = 90_000;
const LOAD_WITHIN_MS = 120_000;

export class FaultPlan {
  readonly windows: FaultWindow[] = [];
  /** When the last fault was lifted (ms-auth started again). */
  lastFaultLiftedAt = 0;
  private readonly o: OrdersWorld;

  constructor(
    private readonly w: World,
    private readonly recorder: Recorder,
    private readonly checkoutsBetweenFaults: number,
    private readonly log: (line: string) => void,
  ) {
    this.o = new OrdersWorld(w);
  }

  async run(rounds = 1): Promise<void> {
    const steps: [string, () => Promise<void>][] = [
      ['kill -9 ms-email', () => this.kill('ms-email')],
      ['RabbitMQ cut off from ms-orders', () => this.cutBroker()],
      ['ms-products stopped', () => this.stopProducts()],
      ['kill -9 ms-orders mid-checkout', () => this.kill('ms-orders')],
      ['ms-auth restarted', () => this.restartAuth()],
    ];
    for (let round = 1; round <= rounds; round += 1) {
      for (const [name, step] of steps) {
        await this.checkouts(this.checkoutsBetweenFaults, `checkouts before "${name}"`);
        const startedAt = Date.now();
        await step();
        this.log(`round ${round}, ${name}: ${Date.now() - startedAt} ms`);
      }
    }
  }

  /** Every service of the stack ready on its own port. */
  async allReady(): Promise<boolean> {
    const ready = await Promise.all(this.w.stack.info.services.map((name) => this.ready(name)));
    return ready.every(Boolean);
  }

  /** The gateway routes to every service it fronts again. */
  async gatewaySeesAllUp(timeoutMs: number): Promise<void> {
    for (const backend of ['ms-auth', 'ms-users', 'ms-products', 'ms-orders'])
      await this.o.gatewaySeesUp(backend, timeoutMs);
  }

  /** Waits until `count` more checkouts (of this status, if given) are answered. */
  private async checkouts(count: number, what: string, status?: number, since = Date.now()): Promise<void> {
    await waitFor(() => this.recorder.count('checkout', status, since) >= count, {
      timeoutMs: LOAD_WITHIN_MS,
      intervalMs: 100,
      what,
    });
  }

  private async ready(name: string): Promise<boolean> {
    const probe = SERVICES.find((spec) => spec.name === name)?.readinessPath ?? '/readyz';
    const url = `${this.w.stack.info.urls.services[name] ?? ''}${probe}`;
    return (await httpRequest(url).catch(() => undefined))?.status === 200;
  }

  private async pid(name: string): Promise<number | null> {
    const status = await stackStatus(this.w.stack.info.stateDir);
    return status.processes.find((proc) => proc.name === name && proc.alive)?.pid ?? null;
  }

  /**
   * kill -9, then back: the supervisor restarts it (or, should the stack run without one, the
   * suite starts it), ready and routed. ms-orders is killed while a checkout is in flight.
   */
  private async kill(name: string): Promise<void> {
    const before = await this.pid(name);
    if (before === null) throw new Error(`${name} is not running before its kill`);
    if (name === 'ms-orders')
      await waitFor(() => this.recorder.inFlightCount('checkout') > 0, {
        timeoutMs: LOAD_WITHIN_MS,
        intervalMs: 5,
        what: 'a checkout in flight',
      });
    const supervised = (await stackStatus(this.w.stack.info.stateDir)).supervisor.running;
    const start = Date.now();
    process.kill(before, 'SIGKILL');
    if (!supervised) await this.w.stack.startService(name);
    await waitFor(
      async () => {
        const now = await this.pid(name);
        return now !== null && now !== before && (await this.ready(name));
      },
      { timeoutMs: BACK_WITHIN_MS, intervalMs: 200, what: `${name} restarted and ready after kill -9` },
    );
    if (name !== 'ms-email') await this.o.gatewaySeesUp(name, BACK_WITHIN_MS);
    this.windows.push({ name: `kill -9 ${name}`, service: name, abrupt: true, start, end: Date.now() });
  }

  /** Checkouts go on while the broker is away: their events wait in ms-orders' outbox. */
  private async cutBroker(): Promise<void> {
    const start = Date.now();
    await this.w.stack.rabbitProxy.pause();
    try {
      const accepted = Math.max(3, this.checkoutsBetweenFaults);
      await this.checkouts(accepted, 'checkouts accepted while RabbitMQ is cut off', 201, start);
      await waitFor(async () => (await this.o.outboxBacklog()) > 0, {
        timeoutMs: LOAD_WITHIN_MS,
        intervalMs: 200,
        what: 'events waiting in the outbox while RabbitMQ is cut off',
      });
    } finally {
      this.w.stack.rabbitProxy.resume();
    }
    // No HTTP route depends on the broker: this window excuses no failed answer.
    this.windows.push({ name: 'RabbitMQ cut off', service: null, abrupt: false, start, end: Date.now() });
  }

  /** Away long enough for checkouts to be refused (503), then started again on its port. */
  private async stopProducts(): Promise<void> {
    const start = Date.now();
    await this.w.stack.stopService('ms-products');
    try {
      await this.checkouts(2, 'checkouts refused while ms-products is away', 503, start);
    } finally {
      await this.w.stack.startService('ms-products');
    }
    await this.o.gatewaySeesUp('ms-products', BACK_WITHIN_MS);
    this.windows.push({
      name: 'ms-products stopped',
      service: 'ms-products',
      abrupt: false,
      start,
      end: Date.now(),
    });
  }

  /** Stopped and started again while checkouts go on: the services verify tokens from cached keys. */
  private async restartAuth(): Promise<void> {
    const start = Date.now();
    await this.w.stack.stopService('ms-auth');
    try {
      await this.checkouts(3, 'checkouts answered while ms-auth is away', undefined, start);
    } finally {
      this.lastFaultLiftedAt = Date.now();
      await this.w.stack.startService('ms-auth');
    }
    await this.o.gatewaySeesUp('ms-auth', BACK_WITHIN_MS);
    this.windows.push({
      name: 'ms-auth restarted',
      service: 'ms-auth',
      abrupt: false,
      start,
      end: Date.now(),
    });
  }
}
