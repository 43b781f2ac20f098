import type { Logger } from '@marketshare/platform';
import type { ProductsPort } from '../domain/ports.js';
import type { MongoCheckoutStore, MongoOutstandingReleases } from '../store/checkouts-store.js';
import type { MongoOrderStore } from '../store/orders-store.js';

export interface ReleaseSweepOptions {
  orders: MongoOrderStore;
  checkouts: MongoCheckoutStore;
  outstandingReleases: MongoOutstandingReleases;
  products: ProductsPort;
  logger: Logger;
  intervalMs: number;
  /** at most this many items of each kind per pass */
  batchSize: number;
  /**
   * A checkout still in progress after this is taken for dead (its process stopped mid-way).
   * It must be far longer than any live checkout (a few ms-products timeouts).
   */
  stuckCheckoutAfterMs: number;
  /**
   * A release ms-products answers "not found" for is kept this long after it was recorded, in
   * case the reservation that timed out on our side is still on its way; then it is dropped.
   */
  notFoundSettleMs: number;
}

export interface SweepResult {
  released: number;
  followUpsDone: number;
  stuckCheckouts: number;
  failed: number;
}

/**
 * Finishes what failed checkouts and status changes could not tell ms-products: releases
 * recorded in `outstanding_releases`, orders marked with a `reservationFollowUp`, and the
 * pending order ids of checkouts that never finished. Every call to ms-products is idempotent
 * by order id, so running a pass twice, or on two instances, does no harm.
 */
export class ReleaseSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: ReleaseSweepOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'release sweep failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One bounded pass over all three kinds of leftovers. */
  async runOnce(): Promise<SweepResult> {
    const result: SweepResult = { released: 0, followUpsDone: 0, stuckCheckouts: 0, failed: 0 };
    // Stuck checkouts first: their order ids become outstanding releases in this same pass.
    await this.recoverStuckCheckouts(result);
    await this.retryOutstandingReleases(result);
    await this.retryFollowUps(result);
    if (result.failed > 0) this.options.logger.warn(result, 'release sweep left work for the next pass');
    return result;
  }

  private async recoverStuckCheckouts(result: SweepResult): Promise<void> {
    const { checkouts, orders, outstandingReleases, batchSize, stuckCheckoutAfterMs } = this.options;
    const stuck = await checkouts.stuckSince(new Date(Date.now() - stuckCheckoutAfterMs), batchSize);
    for (const checkout of stuck) {
      const stored = await orders.countByIds(checkout.pendingOrderIds);
      // Orders that exist own their reservations; only an attempt that stored none is undone.
      if (stored > 0) continue;
      await outstandingReleases.add(checkout.pendingOrderIds);
      await checkouts.abandon(checkout.id);
      result.stuckCheckouts += 1;
    }
  }

  private async retryOutstandingReleases(result: SweepResult): Promise<void> {
    const { orders, outstandingReleases, products, batchSize, notFoundSettleMs } = this.options;
    for (const { orderId, since } of await outstandingReleases.listWithSince(batchSize)) {
      if ((await orders.countByIds([orderId])) > 0) {
        await outstandingReleases.remove(orderId); // an order was stored after all: its stock stays
        continue;
      }
      try {
        const answer = await products.release(orderId);
        if (answer === 'released' || Date.now() - since.getTime() >= notFoundSettleMs) {
          await outstandingReleases.remove(orderId);
          result.released += answer === 'released' ? 1 : 0;
        }
      } catch (error) {
        result.failed += 1;
        this.options.logger.debug({ err: error, orderId }, 'release still failing');
      }
    }
  }

  private async retryFollowUps(result: SweepResult): Promise<void> {
    const { orders, products, batchSize } = this.options;
    for (const { id, followUp } of await orders.withFollowUp(batchSize)) {
      try {
        if (followUp === 'release') await products.release(id);
        else await products.confirm(id);
        await orders.clearFollowUp(id, followUp);
        result.followUpsDone += 1;
      } catch (error) {
        result.failed += 1;
        this.options.logger.debug(
          { err: error, orderId: id, followUp },
          'reservation follow-up still failing',
        );
      }
    }
  }
}
