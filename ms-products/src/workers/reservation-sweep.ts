import type { Logger } from '@marketshare/platform';
import type { StockReservations } from '../domain/stock/reservations.js';

export interface ReservationSweepOptions {
  reservations: StockReservations;
  logger: Logger;
  intervalMs: number;
  /** at most this many holds released per pass */
  batchSize: number;
}

/**
 * Releases stock reservations whose hold ran out before ms-orders committed them, so stock
 * taken by a checkout whose process died comes back even if ms-orders never does. Each hold
 * is released in its own transaction under FOR UPDATE SKIP LOCKED: several instances sweeping
 * at once share the work and never release one twice (stock_reservations_total{outcome="expired"}).
 */
export class ReservationSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: ReservationSweepOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops scheduling and waits for a pass in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }

  /** One pass; answers how many holds were released. */
  async runOnce(): Promise<number> {
    const released = await this.options.reservations.expireOverdueHolds(this.options.batchSize);
    if (released > 0)
      this.options.logger.warn({ released }, 'released stock reservations whose hold ran out');
    return released;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'reservation sweep failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
